/**
 * Script references: how the plan writes each distinct script text once.
 * Pure functions, no files (store.ts writes them).
 *
 * A command's `create`/`update`/`delete` text becomes a template (the node's
 * name replaced by `{{node}}`) stored as `scripts/<sha256 of the template>.sh`,
 * and resources.jsonl holds a reference to it with the node's parameters:
 *
 *   "create": { "file": "scripts/3fa9….sh", "sha256": "3fa9…", "params": { "node": "node-0001" } }
 *
 * Filling the template with its params gives back the exact text sent, byte
 * for byte: templatize() checks that round trip and keeps the text whole
 * (no params) when it would not hold. Works for any text, short or long.
 */
import * as crypto from "crypto";

/** A script written once under scripts/, named by its sha256; `params` fill its placeholders. */
export interface ScriptRef {
    readonly file: string;
    readonly sha256: string;
    readonly params?: Readonly<Record<string, string>>;
}

/**
 * An asset or archive (e.g. a remote.CopyToRemote's `source`): where it comes
 * from and its content's sha256, never its bytes. A string asset's `text` is
 * only carried from the monitor to the planner, which writes it as a script.
 */
export interface AssetRef {
    readonly asset: "file" | "string" | "remote" | "file-archive" | "remote-archive" | "asset-archive" | "unknown";
    readonly path?: string;
    readonly uri?: string;
    readonly sha256?: string;
    readonly text?: string;
    readonly assets?: Readonly<Record<string, AssetRef>>;
}

const ASSET_KINDS = new Set(["file", "string", "remote", "file-archive", "remote-archive", "asset-archive", "unknown"]);

export function isAssetRef(v: unknown): v is AssetRef {
    return !!v && typeof v === "object" && ASSET_KINDS.has(String((v as { asset?: unknown }).asset));
}

export const placeholder = (name: string) => `{{${name}}}`;

export function sha256(text: string | Buffer): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

export const scriptFile = (sha: string) => `scripts/${sha}.sh`;

export function isScriptRef(v: unknown): v is ScriptRef {
    if (!v || typeof v !== "object" || Array.isArray(v)) return false;
    const r = v as Record<string, unknown>;
    return typeof r.file === "string" && typeof r.sha256 === "string" && r.file.startsWith("scripts/");
}

/** Every script or asset reference in a value, by input path (`create`, `environment.LIB`, `source`). */
export function referencesIn(v: unknown, at = ""): { input: string; ref: ScriptRef | AssetRef }[] {
    if (isScriptRef(v) || isAssetRef(v)) return [{ input: at, ref: v }];
    if (!v || typeof v !== "object") return [];
    const key = (k: string) => (Array.isArray(v) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    return Object.entries(v).flatMap(([k, x]) => referencesIn(x, key(k)));
}

/** The exact text: the template with each `{{name}}` replaced by its value. */
export function fill(template: string, params: Readonly<Record<string, string>> = {}): string {
    let text = template;
    for (const [k, v] of Object.entries(params)) text = text.split(placeholder(k)).join(v);
    return text;
}

/**
 * The template of `text`: each param's value replaced by its placeholder, for
 * the params whose value occurs in it. Falls back to the text itself (no
 * params) when filling would not give the text back exactly.
 */
export function templatize(
    text: string,
    params: Readonly<Record<string, string>>,
): { template: string; params: Record<string, string> } {
    const found = Object.entries(params).filter(([, v]) => v && text.includes(v));
    if (!found.length) return { template: text, params: {} };
    const [[k, v]] = found;
    // One plain name whose placeholder the text does not hold: "{{name}}" has no proper prefix that is
    // also a suffix, so the only placeholders in the template are the ones put there, and filling it
    // gives the text back. (The general case below checks that instead.)
    if (found.length === 1 && /^\w+$/.test(k) && !text.includes(placeholder(k)))
        return { template: text.replaceAll(v, placeholder(k)), params: { [k]: v } };
    let template = text;
    for (const [name, value] of found) template = template.split(value).join(placeholder(name));
    const used = Object.fromEntries(found);
    return fill(template, used) === text ? { template, params: used } : { template: text, params: {} };
}

/** Inputs of a command type whose string values are scripts (pulumi-command's remote and local Command). */
export const SCRIPT_INPUTS = ["create", "update", "delete"] as const;

/** Longer strings than this in a command's other inputs are written as scripts too (e.g. an `environment` value). */
export const LONG_STRING = 256;

/** Whether a resource type's inputs may hold scripts: pulumi-command's resources. */
export const carriesScripts = (type: string) => type.startsWith("command:");
