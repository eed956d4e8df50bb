/**
 * One line of resources.jsonl: a registration as the plan records it, with
 * every script replaced by a reference to its file under scripts/ (see
 * scripts.ts). Pure: the caller decides how a script text becomes a reference.
 */
import { Registration } from "./monitor";
import { AssetRef, carriesScripts, isAssetRef, LONG_STRING, SCRIPT_INPUTS, ScriptRef } from "./scripts";

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

/** Turns a script text into the reference written in its place. */
export type ScriptSink = (text: string) => ScriptRef;

/** A reference written into an entry, with the input path that holds it (`create`, `environment.LIB`, `source`). */
export interface FoundReference {
    readonly input: string;
    readonly ref: ScriptRef | AssetRef;
}

/**
 * Inputs as the plan writes them, in one walk: keys sorted at every level (the
 * output does not depend on wire order), and for a command each script as a
 * reference: `create`, `update` and `delete`, any other string longer than
 * LONG_STRING (at any depth), and a string asset's text. A file asset keeps
 * its path and sha256. Each reference is also pushed onto `found`.
 */
export function withScriptRefs(
    type: string,
    inputs: Record<string, unknown>,
    script: ScriptSink,
    found: FoundReference[] = [],
): Record<string, unknown> {
    const scripts = carriesScripts(type);
    const walk = (v: unknown, input: string, key: string, top: boolean): unknown => {
        if (typeof v === "string") {
            if (!scripts || !((top && (SCRIPT_INPUTS as readonly string[]).includes(key)) || v.length > LONG_STRING))
                return v;
            const ref = script(v);
            found.push({ input, ref });
            return ref;
        }
        if (Array.isArray(v)) return v.map((x, i) => walk(x, `${input}[${i}]`, key, false));
        if (scripts && isAssetRef(v)) {
            const ref = v.text === undefined ? v : { ...withoutText(v), ...script(v.text) };
            found.push({ input, ref });
            return ref;
        }
        if (!v || typeof v !== "object") return v;
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort())
            out[k] = walk((v as Record<string, unknown>)[k], input ? `${input}.${k}` : k, k, !input);
        return out;
    };
    return walk(inputs, "", "", false) as Record<string, unknown>;
}

const withoutText = <T extends { text?: string }>(v: T): Omit<T, "text"> =>
    Object.fromEntries(Object.entries(v).filter(([k]) => k !== "text")) as Omit<T, "text">;

/** The resources.jsonl entry of a registration (keys in this order). */
export function planEntry(r: Registration, script: ScriptSink, found?: FoundReference[]): Record<string, unknown> {
    return {
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
        ...(r.additionalSecretOutputs.length ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
        ...(Object.keys(r.customTimeouts).length ? { customTimeouts: r.customTimeouts } : {}),
        inputs: withScriptRefs(r.type, r.inputs, script, found),
    };
}
