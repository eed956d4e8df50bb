/**
 * Reads a plan directory back, in either layout, one resource at a time:
 *
 * - this layout: resources.jsonl (one entry per line, scripts as references
 *   to scripts/<sha256>.sh);
 * - the older one, which a base ref's own tools/plan.ts may still write:
 *   resources.json, one JSON array with every script inline. Its scripts are
 *   turned into the same references as they arrive (templated with the
 *   params the other plan gives the same resource), so that the two layouts
 *   compare by sha256 and the texts are never all held at once.
 */
import * as fs from "fs";
import * as path from "path";
import { withScriptRefs } from "./entry";
import { PlanEntry } from "./rules";
import { fill, isScriptRef, referencesIn, scriptFile, ScriptRef, sha256, templatize } from "./scripts";
import { RESOURCES } from "./store";
import { jsonArrayItems, lines } from "./stream";

export type Layout = "jsonl" | "json";

/** Per resource (by URN), the params its scripts were templated with. */
export type ParamsOf = (urn: string) => Record<string, string> | undefined;

export function layoutOf(dir: string): Layout {
    if (fs.existsSync(path.join(dir, RESOURCES))) return "jsonl";
    if (fs.existsSync(path.join(dir, "resources.json"))) return "json";
    throw new Error(`${dir} is not a plan: it has neither ${RESOURCES} nor resources.json`);
}

/** The reference the plan writer would give an inline script text, templated with `params`. */
export function inlineRef(text: string, params: Record<string, string> = {}): ScriptRef {
    const t = templatize(text, params);
    const sha = sha256(t.template);
    return { file: scriptFile(sha), ...(Object.keys(t.params).length ? { params: t.params } : {}), sha256: sha };
}

/** The params of the first script reference in an entry's inputs, at any depth (a resource's scripts share them). */
export function paramsOfEntry(e: PlanEntry): Record<string, string> | undefined {
    for (const { ref } of referencesIn(e.inputs)) if (isScriptRef(ref) && ref.params) return { ...ref.params };
    return undefined;
}

/** Every entry of a plan, in registration order; an older plan's scripts become references as they arrive. */
export async function* planEntries(dir: string, paramsOf: ParamsOf = () => undefined): AsyncGenerator<PlanEntry> {
    if (layoutOf(dir) === "jsonl") {
        for await (const line of lines(path.join(dir, RESOURCES))) yield JSON.parse(line) as PlanEntry;
        return;
    }
    for await (const item of jsonArrayItems(path.join(dir, "resources.json"))) {
        const e = item as PlanEntry;
        const params = paramsOf(e.urn) ?? {};
        let last: { text: string; ref: ScriptRef } | undefined;
        const inputs = withScriptRefs(e.type, e.inputs, (text) => {
            if (last?.text !== text) last = { text, ref: inlineRef(text, params) };
            return last.ref;
        }) as Record<string, unknown>;
        yield { ...e, inputs };
    }
}

/** A whole plan in memory (entries hold references, not scripts: about 2 KB per resource). */
export async function readPlan(dir: string, paramsOf?: ParamsOf): Promise<PlanEntry[]> {
    const out: PlanEntry[] = [];
    for await (const e of planEntries(dir, paramsOf)) out.push(e);
    return out;
}

/**
 * Reads two plans to compare: a plan in this layout first, so that an older
 * plan's inline scripts are templated with the same params and compare by sha256.
 */
export async function readPlans(baseDir: string, headDir: string): Promise<{ base: PlanEntry[]; head: PlanEntry[] }> {
    const paramsFrom = (entries: readonly PlanEntry[]): ParamsOf => {
        const m = new Map<string, Record<string, string>>();
        for (const e of entries) {
            const p = paramsOfEntry(e);
            if (p) m.set(e.urn, p);
        }
        return (urn) => m.get(urn);
    };
    if (layoutOf(baseDir) === "json" && layoutOf(headDir) === "jsonl") {
        const head = await readPlan(headDir);
        return { base: await readPlan(baseDir, paramsFrom(head)), head };
    }
    const base = await readPlan(baseDir);
    return { base, head: await readPlan(headDir, paramsFrom(base)) };
}

/** The exact texts of a plan's script references (each template read once). */
export class ScriptTexts {
    private readonly templates = new Map<string, string>();
    constructor(private readonly dir: string) {}

    template(ref: ScriptRef): string {
        let t = this.templates.get(ref.file);
        if (t === undefined) {
            t = fs.readFileSync(path.join(this.dir, ref.file), "utf8");
            if (sha256(t) !== ref.sha256) throw new Error(`${ref.file} does not have the sha256 its reference names`);
            this.templates.set(ref.file, t);
        }
        return t;
    }

    /** The text as sent: the template with its params filled in. */
    text(ref: ScriptRef): string {
        return fill(this.template(ref), ref.params);
    }
}
