/**
 * Writes the registrations of a plan as they arrive, with each distinct
 * script text once:
 *
 *   resources.jsonl    one registration per line, scripts as references (entry.ts)
 *   scripts/<sha>.sh   each distinct script (a node's name replaced by {{node}}), named by its sha256
 *   nodes/index.tsv    node -> step -> the inputs that carry a script -> its file (or asset)
 *
 * Nothing is kept but the distinct scripts; writes are buffered.
 */
import * as fs from "fs";
import * as path from "path";
import { Registration } from "./monitor";
import { FoundReference, planEntry } from "./entry";
import { AssetRef, isScriptRef, ScriptRef, scriptFile, sha256, templatize } from "./scripts";

export const RESOURCES = "resources.jsonl";
export const NODE_INDEX = "nodes/index.tsv";

const INDEX_HEADER = [
    "# node\tstep\tinputs\tscript or asset",
    "# A node's commands, in registration order. A script under scripts/ is shared by every node it serves,",
    "# with {{node}} standing for the node's name. The exact text as sent:",
    "#   npm run plan:show -- --plan <this plan> --node <node>",
    "",
].join("\n");

/** Appends text to a file through a buffer. */
class Appender {
    private readonly fd: number;
    private parts: string[] = [];
    private size = 0;
    constructor(file: string) {
        this.fd = fs.openSync(file, "w");
    }
    write(text: string): void {
        this.parts.push(text);
        this.size += text.length;
        if (this.size > 1 << 20) this.flush();
    }
    flush(): void {
        if (this.parts.length) fs.writeSync(this.fd, this.parts.join(""));
        this.parts = [];
        this.size = 0;
    }
    close(): void {
        this.flush();
        fs.closeSync(this.fd);
    }
}

/** The node a resource belongs to: the longest node name N with the resource named `N-<step>`. */
export function nodeResolver(nodes: readonly string[]): (name: string) => { node: string; step: string } | undefined {
    const known = new Set(nodes);
    return (name) => {
        for (let i = name.lastIndexOf("-"); i > 0; i = name.lastIndexOf("-", i - 1)) {
            if (known.has(name.slice(0, i))) return { node: name.slice(0, i), step: name.slice(i + 1) };
        }
        return undefined;
    };
}

const refText = (r: ScriptRef | AssetRef) =>
    isScriptRef(r)
        ? r.file
        : `asset ${r.asset} ${r.path ?? r.uri ?? ""}${r.sha256 ? ` sha256:${r.sha256}` : ""}`.replace(/ +$/, "");

/** One node's index rows for an entry's references: inputs that share a script are listed together. */
export function indexRows(node: string, step: string, refs: readonly FoundReference[]): string {
    const byRef = new Map<string, string[]>();
    for (const { input, ref } of refs) {
        const key = refText(ref);
        if (!byRef.get(key)?.includes(input)) byRef.set(key, [...(byRef.get(key) ?? []), input]);
    }
    return [...byRef].map(([ref, ins]) => `${node}\t${step}\t${ins.join(" ")}\t${ref}\n`).join("");
}

export class PlanWriter {
    /** Template text -> its sha256, for the scripts written so far. */
    private readonly scripts = new Map<string, string>();
    /** The last template of each step: nodes share them, and comparing is cheaper than hashing a long text. */
    private readonly lastOfStep = new Map<string, { template: string; sha: string }>();
    private readonly resources: Appender;
    private readonly index: Appender;
    private readonly nodeOf: ReturnType<typeof nodeResolver>;
    count = 0;
    nodeScripts = 0;

    constructor(
        private readonly outDir: string,
        nodes: readonly string[],
    ) {
        fs.mkdirSync(path.join(outDir, "scripts"), { recursive: true });
        fs.mkdirSync(path.join(outDir, "nodes"), { recursive: true });
        this.resources = new Appender(path.join(outDir, RESOURCES));
        this.index = new Appender(path.join(outDir, NODE_INDEX));
        this.index.write(INDEX_HEADER);
        this.nodeOf = nodeResolver(nodes);
    }

    get scriptFiles(): number {
        return this.scripts.size;
    }

    /** The reference for a script text; its template is written under scripts/ the first time it is seen. */
    script(text: string, params: Record<string, string>, step = ""): ScriptRef {
        const t = templatize(text, params);
        const last = this.lastOfStep.get(step);
        let sha = last?.template === t.template ? last.sha : this.scripts.get(t.template);
        if (sha === undefined) {
            sha = sha256(t.template);
            this.scripts.set(t.template, sha);
            fs.writeFileSync(path.join(this.outDir, scriptFile(sha)), t.template, { mode: 0o644 });
        }
        if (step) this.lastOfStep.set(step, { template: t.template, sha });
        // Keys in sorted order, as everything else in an entry.
        return { file: scriptFile(sha), ...(Object.keys(t.params).length ? { params: t.params } : {}), sha256: sha };
    }

    add(r: Registration): void {
        const owner = this.nodeOf(r.name);
        const params: Record<string, string> = owner ? { node: owner.node } : {};
        let last: { text: string; ref: ScriptRef } | undefined;
        const found: FoundReference[] = [];
        const entry = planEntry(
            r,
            (text) => {
                // create and update are usually the same text: template it once.
                if (last?.text !== text) last = { text, ref: this.script(text, params, owner?.step) };
                return last.ref;
            },
            found,
        );
        this.resources.write(`${JSON.stringify(entry)}\n`);
        this.count++;
        if (owner) {
            const rows = indexRows(owner.node, owner.step, found);
            if (rows) this.nodeScripts++;
            this.index.write(rows);
        }
    }

    close(): void {
        this.resources.close();
        this.index.close();
    }
}
