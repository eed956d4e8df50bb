/**
 * One line of resources.jsonl: a registration as the plan records it, with
 * every script replaced by a reference to its file under scripts/ (see
 * scripts.ts). Pure: the caller decides how a script text becomes a reference.
 */
import { Registration } from "./monitor";
import { carriesScripts, isAssetRef, LONG_STRING, SCRIPT_INPUTS, ScriptRef } from "./scripts";

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

/**
 * A command's inputs with each script as a reference: `create`, `update` and
 * `delete`, any other string longer than LONG_STRING (at any depth), and the
 * text of a string asset. Assets of files keep their path and sha256.
 */
export function withScriptRefs(type: string, inputs: Record<string, unknown>, script: ScriptSink): unknown {
    if (!carriesScripts(type)) return inputs;
    const walk = (v: unknown, key: string, top: boolean): unknown => {
        if (typeof v === "string")
            return (top && (SCRIPT_INPUTS as readonly string[]).includes(key)) || v.length > LONG_STRING
                ? script(v)
                : v;
        if (Array.isArray(v)) return v.map((x) => walk(x, key, false));
        if (isAssetRef(v)) return v.text === undefined ? v : { ...withoutText(v), ...script(v.text) };
        if (v && typeof v === "object")
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k, false)]));
        return v;
    };
    return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, walk(v, k, true)]));
}

const withoutText = <T extends { text?: string }>(v: T): Omit<T, "text"> =>
    Object.fromEntries(Object.entries(v).filter(([k]) => k !== "text")) as Omit<T, "text">;

/** The resources.jsonl entry of a registration (keys in this order). */
export function planEntry(r: Registration, script: ScriptSink): Record<string, unknown> {
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
        inputs: canonical(withScriptRefs(r.type, r.inputs, script), false),
    };
}
