/**
 * What `npm run plan:show` prints: a node's commands (or one resource) from a
 * plan, each script as the exact text sent, read back from scripts/ and
 * filled with the node's params.
 */
import { PlanEntry } from "./rules";
import { ScriptTexts } from "./read";
import { isScriptRef, referencesIn, ScriptRef } from "./scripts";

/** The script references among an entry's inputs, by input path (`create`, `environment.X`...). */
export function scriptInputs(inputs: unknown): { input: string; ref: ScriptRef }[] {
    return referencesIn(inputs).flatMap(({ input, ref }) => (isScriptRef(ref) ? [{ input, ref }] : []));
}

/** The inputs other than scripts, as JSON (the connection, triggers, assets...). */
function otherInputs(e: PlanEntry): Record<string, unknown> {
    return Object.fromEntries(Object.entries(e.inputs).filter(([, v]) => !isScriptRef(v)));
}

/**
 * One resource as a reviewer reads it: a header, its other inputs, then each
 * script (inputs with the same text are shown once) between marker lines.
 */
export function showEntry(e: PlanEntry, texts: ScriptTexts): string {
    const out: string[] = [`=== ${e.name} (${e.type})`];
    if (e.dependsOn.length) out.push(`depends on: ${e.dependsOn.map((u) => u.split("::").pop()).join(", ")}`);
    out.push(`inputs: ${JSON.stringify(otherInputs(e))}`);
    const seen = new Map<string, string[]>();
    for (const { input, ref } of scriptInputs(e.inputs)) {
        const key = `${ref.sha256} ${JSON.stringify(ref.params ?? {})}`;
        seen.set(key, [...(seen.get(key) ?? []), input]);
    }
    for (const { input, ref } of scriptInputs(e.inputs)) {
        const key = `${ref.sha256} ${JSON.stringify(ref.params ?? {})}`;
        const same = seen.get(key) ?? [];
        if (same[0] !== input) continue;
        const params = Object.entries(ref.params ?? {}).map(([k, v]) => `{{${k}}}=${v}`);
        const text = texts.text(ref);
        out.push(`--- ${same.join(" = ")}: ${ref.file}${params.length ? ` with ${params.join(" ")}` : ""}`);
        out.push(text.endsWith("\n") ? text.slice(0, -1) : text);
        out.push(`--- end of ${same.join(" = ")}${text.endsWith("\n") ? "" : " (no newline at the end)"}`);
    }
    return `${out.join("\n")}\n`;
}

/** The exact text of one input of an entry (for piping into a file or a diff). */
export function inputText(e: PlanEntry, input: string, texts: ScriptTexts): string {
    const hit = scriptInputs(e.inputs).find((x) => x.input === input);
    if (hit) return texts.text(hit.ref);
    const v = e.inputs[input];
    if (typeof v === "string") return v;
    const have = scriptInputs(e.inputs).map((x) => x.input);
    throw new Error(`${e.name} has no script input ${input}; it has: ${have.join(", ") || "none"}`);
}
