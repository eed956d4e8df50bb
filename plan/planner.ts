/**
 * The offline plan: runs the real program under Pulumi runtime mocks and
 * writes what it would send, as files a reviewer can diff:
 *
 *   summary.md                       what will happen, in words
 *   outputs.json                     the stack outputs pulumi up will export (the deploy workflow reads its bounds)
 *   kubernetes/NNN-<kind>-<ns|cluster>-<name>.yaml   every Kubernetes object, in registration order
 *   resources.jsonl                  every registration, one per line: type, name, urn, parent, dependsOn,
 *                                    provider, protect, retainOnDelete, ignoreChanges, inputs; scripts as
 *                                    references { file, sha256, params } (scripts.ts)
 *   scripts/<sha256>.sh              each distinct script text once ({{node}} for the node's name)
 *   nodes/index.tsv                  node -> step -> script file
 *   library/lib-<sha256>.sh          the step library every node gets once (CopyToRemote of this file)
 *
 * Output is deterministic and never holds a secret. Large plans stay lean:
 * registrations are written as they arrive, not kept; each distinct script once (store.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Settings } from "../settings/types";
import { buildMigration, Migration } from "../program";
import { installPlanMonitor, Registration, settled, withoutStackTraces } from "./monitor";
import { renderSummary } from "./summary";
import { canonical } from "./entry";
import { PlanWriter, RESOURCES } from "./store";

export const PROJECT = "flannel-to-calico";

export interface PlanFiles {
    readonly kubernetes: readonly string[];
    /** Node commands that carry a script (nodes/index.tsv). */
    readonly nodeScripts: number;
    /** Distinct script files under scripts/. */
    readonly scripts: number;
    readonly resources: number;
}

export function k8sFileName(index: number, width: number, inputs: Record<string, unknown>): string {
    const meta = (inputs.metadata ?? {}) as { name?: string; namespace?: string };
    const kind = String(inputs.kind ?? "unknown").toLowerCase();
    return `${String(index).padStart(width, "0")}-${kind}-${meta.namespace ?? "cluster"}-${meta.name ?? "unnamed"}.yaml`;
}

/** Refuses to wipe a directory that is not a plan (or empty). */
function prepareOutDir(outDir: string): void {
    if (fs.existsSync(outDir)) {
        const entries = fs.readdirSync(outDir);
        const isPlan =
            entries.length === 0 || ["summary.md", "resources.json", RESOURCES].some((f) => entries.includes(f));
        if (!isPlan)
            throw new Error(`${outDir} exists and is not a plan directory (no summary.md); choose another --out`);
        fs.rmSync(outDir, { recursive: true, force: true });
    }
    fs.mkdirSync(path.join(outDir, "kubernetes"), { recursive: true });
}

export interface PlanOptions {
    readonly progress?: (line: string) => void;
}

/** Plans one stack's settings into outDir. The runtime's monitor is replaced for the duration. */
export async function writePlan(
    s: Settings,
    outDir: string,
    opts: PlanOptions = {},
): Promise<{ files: PlanFiles; migration: Migration }> {
    const progress = opts.progress ?? (() => undefined);
    prepareOutDir(outDir);
    const writer = new PlanWriter(
        outDir,
        s.nodes.map((n) => n.name),
    );
    const k8s: Record<string, unknown>[] = [];
    let failure: unknown;
    const sink = (r: Registration) => {
        try {
            writer.add(r);
            if (r.custom && r.type.startsWith("kubernetes:")) k8s.push(r.inputs);
        } catch (e) {
            failure = failure ?? e;
        }
    };
    progress("plan: registering resources under mocks");
    installPlanMonitor(sink, { project: PROJECT, stack: s.stack, preview: true });
    const unhandled: unknown[] = [];
    const onRejection = (e: unknown) => {
        unhandled.push(e);
    };
    process.on("unhandledRejection", onRejection);
    let migration: Migration;
    try {
        migration = await withoutStackTraces(async () => {
            const m = await buildMigration(s);
            await settled();
            // Outputs resolve through the same queue; wait once more for late registrations.
            await new Promise((r) => setImmediate(r));
            await settled();
            return m;
        });
    } finally {
        process.off("unhandledRejection", onRejection);
        writer.close();
    }
    if (unhandled.length) throw unhandled[0];
    if (failure) throw failure;

    progress(`plan: writing ${k8s.length} Kubernetes object(s)`);
    const width = Math.max(3, String(k8s.length).length);
    const k8sFiles = k8s.map((inputs, i) => {
        const name = k8sFileName(i + 1, width, inputs);
        fs.writeFileSync(
            path.join(outDir, "kubernetes", name),
            yaml.dump(canonical(inputs), { noRefs: true, lineWidth: -1 }),
        );
        return `kubernetes/${name}`;
    });
    fs.writeFileSync(
        path.join(outDir, "summary.md"),
        renderSummary(s, migration.outputs, {
            kubernetesObjects: k8s.length,
            nodeScripts: writer.nodeScripts,
            scriptFiles: writer.scriptFiles,
            notes: migration.notes,
        }),
    );
    fs.writeFileSync(path.join(outDir, "outputs.json"), `${JSON.stringify(migration.outputs, null, 2)}\n`);
    // The step library every node gets (CopyToRemote of a file: its text is in no registration).
    fs.mkdirSync(path.join(outDir, "library"), { recursive: true });
    fs.writeFileSync(path.join(outDir, "library", migration.nodes.library.fileName), migration.nodes.library.text);
    const files = {
        kubernetes: k8sFiles,
        nodeScripts: writer.nodeScripts,
        scripts: writer.scriptFiles,
        resources: writer.count,
    };
    return { files, migration };
}
