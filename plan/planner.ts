/**
 * The offline plan: runs the real program under Pulumi runtime mocks and
 * writes what it would send, as files a reviewer can diff:
 *
 *   summary.md                       what will happen, in words
 *   outputs.json                     the stack outputs pulumi up will export (the deploy workflow reads its bounds)
 *   kubernetes/NNN-<kind>-<ns|cluster>-<name>.yaml   every Kubernetes object, in registration order
 *   nodes/<node>/NN-<command>.sh     every node command, exactly as sent (01-preflight.sh, 02-cutover.sh)
 *   library/lib-<sha256>.sh          the step library every node gets once (CopyToRemote)
 *   resources.json                   every registration: type, name, urn, parent, dependsOn,
 *                                    provider, protect, retainOnDelete, ignoreChanges, inputs
 *
 * Output is deterministic and never holds a secret. Large plans stay lean:
 * scripts and registrations are written as they arrive, not kept.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Settings } from "../settings/types";
import { buildMigration, Migration } from "../program";
import { installPlanMonitor, Registration, settled, withoutStackTraces } from "./monitor";
import { renderSummary } from "./summary";
import { nodeCommandOf } from "../identity";

export const PROJECT = "flannel-to-calico";

export interface PlanFiles {
    readonly kubernetes: readonly string[];
    readonly nodes: readonly string[];
    readonly resources: number;
}

/** Sorts object keys recursively so output does not depend on wire order. */
export function canonical(v: unknown, top = true): unknown {
    if (Array.isArray(v)) return v.map((x) => canonical(x, false));
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        const first = top ? ["apiVersion", "kind", "metadata"] : [];
        const keys = [
            ...first.filter((k) => k in o),
            ...Object.keys(o)
                .filter((k) => !first.includes(k))
                .sort(),
        ];
        return Object.fromEntries(keys.map((k) => [k, canonical(o[k], false)]));
    }
    return v;
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
        const isPlan = entries.length === 0 || entries.includes("summary.md") || entries.includes("resources.json");
        if (!isPlan)
            throw new Error(`${outDir} exists and is not a plan directory (no summary.md); choose another --out`);
        fs.rmSync(outDir, { recursive: true, force: true });
    }
    fs.mkdirSync(path.join(outDir, "kubernetes"), { recursive: true });
    fs.mkdirSync(path.join(outDir, "nodes"), { recursive: true });
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
    const fd = fs.openSync(path.join(outDir, "resources.json"), "w");
    let count = 0;
    const k8s: Record<string, unknown>[] = [];
    const nodeFiles: string[] = [];
    const createdDirs = new Set<string>();
    let failure: unknown;
    const sink = (r: Registration) => {
        try {
            const entry = {
                type: r.type,
                name: r.name,
                urn: r.urn,
                parent: r.parent,
                dependsOn: r.dependsOn,
                provider: r.provider,
                protect: r.protect,
                retainOnDelete: r.retainOnDelete,
                ignoreChanges: r.ignoreChanges,
                // What decides update vs replace at pulumi up (plan/rules.ts reads these).
                replaceOnChanges: r.replaceOnChanges,
                deleteBeforeReplace: r.deleteBeforeReplace,
                ...(r.aliases.length ? { aliases: r.aliases } : {}),
                inputs: canonical(r.inputs, false),
            };
            fs.writeSync(fd, (count === 0 ? "[\n" : ",\n") + JSON.stringify(entry, null, 2));
            count++;
            if (r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"))
                k8s.push(r.inputs);
            if (r.type === "command:remote:Command") {
                const ns = nodeCommandOf(r.name);
                if (ns) {
                    const dir = path.join(outDir, "nodes", ns.node);
                    if (!createdDirs.has(dir)) {
                        fs.mkdirSync(dir, { recursive: true });
                        createdDirs.add(dir);
                    }
                    const file = path.join(dir, `${String(ns.index).padStart(2, "0")}-${ns.command}.sh`);
                    fs.writeFileSync(file, String(r.inputs.create ?? ""), { mode: 0o644 });
                    nodeFiles.push(path.relative(outDir, file));
                }
            }
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
        fs.writeSync(fd, count === 0 ? "[]\n" : "\n]\n");
        fs.closeSync(fd);
    }
    if (unhandled.length) throw unhandled[0];
    if (failure) throw failure;

    progress(`plan: writing ${k8s.length} Kubernetes object(s) and ${nodeFiles.length} node script(s)`);
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
            nodeScripts: nodeFiles.length,
            notes: migration.notes,
        }),
    );
    fs.mkdirSync(path.join(outDir, "library"), { recursive: true });
    fs.writeFileSync(path.join(outDir, "library", migration.nodes.library.fileName), migration.nodes.library.text);
    fs.writeFileSync(path.join(outDir, "outputs.json"), `${JSON.stringify(migration.outputs, null, 2)}\n`);
    return { files: { kubernetes: k8sFiles, nodes: nodeFiles, resources: count }, migration };
}
