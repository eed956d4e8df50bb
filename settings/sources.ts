/**
 * Raw config from a stack: from a Pulumi.<stack>.yaml file (the offline plan,
 * no Pulumi CLI), or from the Pulumi runtime's config (index.ts).
 * Secret leaves become `Secret`s; encrypted values in a stack file are never
 * decrypted: they become the "[secret]" placeholder.
 */
import * as yaml from "js-yaml";
import { Secret } from "./secret";
import { CONFIG_KEYS, CONFIG_NAMESPACE, RawConfig } from "./types";

/** Keys that hold credentials: always handled as secrets. */
export const SECRET_PATHS: readonly string[] = ["ssh.privateKey", "ssh.bastion.privateKey", "cluster.kubeconfig"];

function isSecure(v: unknown): boolean {
    return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        Object.keys(v).length === 1 &&
        typeof (v as { secure?: unknown }).secure === "string"
    );
}

/** Replaces `{ secure: ... }` leaves with placeholder Secrets, at any depth. */
function unwrapSecure(v: unknown): unknown {
    if (isSecure(v)) return new Secret(Secret.placeholder);
    if (Array.isArray(v)) return v.map(unwrapSecure);
    if (typeof v === "object" && v !== null)
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecure(x)]));
    return v;
}

export interface StackFileResult {
    readonly raw: RawConfig;
    readonly problems: readonly string[];
}

/** Parses the text of a Pulumi.<stack>.yaml. Keys of other namespaces (kubernetes:, aws:) are ignored. */
export function rawConfigFromStackFile(text: string, fileName = "stack file"): StackFileResult {
    let doc: unknown;
    try {
        doc = yaml.load(text);
    } catch (e) {
        return { raw: {}, problems: [`${fileName} is not valid YAML: ${(e as Error).message.split("\n")[0]}`] };
    }
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        return { raw: {}, problems: [`${fileName}: "config" must be a map of keys`] };
    }
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [k, v] of Object.entries(config)) {
        const [ns, ...rest] = k.split(":");
        if (ns !== CONFIG_NAMESPACE || rest.length !== 1) continue;
        const name = rest[0];
        if (!isConfigKey(name)) {
            problems.push(unknownKeyProblem(name));
            continue;
        }
        raw[name] = unwrapSecure(v);
    }
    return { raw, problems };
}

const isConfigKey = (name: string): name is keyof RawConfig => (CONFIG_KEYS as readonly string[]).includes(name);

/** An unknown key of this program's namespace, with the fix when it is a nested key set without --path. */
export function unknownKeyProblem(name: string): string {
    const full = `${CONFIG_NAMESPACE}:${name}`;
    const section = name.split(".")[0];
    if (name.includes(".") && isConfigKey(section)) {
        return (
            `${full} is a key of its own, not ${section}'s field ${name.slice(section.length + 1)}: it was set without ` +
            `--path and is ignored. Remove it (pulumi config rm ${full}) and set it with: pulumi config set --path ${full} VALUE`
        );
    }
    return `${full} is not a config key of this program; the keys are ${CONFIG_KEYS.map((x) => `${CONFIG_NAMESPACE}:${x}`).join(", ")}`;
}

/**
 * Raw config from the Pulumi runtime: every key of this program's namespace
 * the stack sets (`pulumi.runtime.allConfig()`: full keys, objects as JSON
 * text), so an unknown or mistyped key is a problem at `pulumi up` as in the
 * offline plan. `isSecret` tells whether the stack stores a key encrypted.
 */
export function rawConfigFromRuntime(
    all: Record<string, string>,
    isSecret: (fullKey: string) => boolean,
): StackFileResult {
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [full, text] of Object.entries(all)) {
        if (!full.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
        const name = full.slice(CONFIG_NAMESPACE.length + 1);
        if (!isConfigKey(name)) {
            problems.push(unknownKeyProblem(name));
            continue;
        }
        let v: unknown = text;
        try {
            v = JSON.parse(text);
        } catch {
            // A plain string value.
        }
        raw[name] = isSecret(full) ? wrapSecretPaths(name, v) : v;
    }
    return { raw, problems };
}
/** Wraps the credential leaves of a key stored encrypted in `Secret`s. */
function wrapSecretPaths(name: string, v: unknown): unknown {
    const paths = SECRET_PATHS.filter((p) => p.startsWith(`${name}.`)).map((p) => p.split(".").slice(1));
    const clone = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
    for (const path of paths) {
        let o: Record<string, unknown> | undefined = clone;
        for (const seg of path.slice(0, -1))
            o = o && typeof o[seg] === "object" ? (o[seg] as Record<string, unknown>) : undefined;
        const last = path[path.length - 1];
        if (o && typeof o[last] === "string") o[last] = new Secret(o[last] as string);
    }
    return clone;
}
