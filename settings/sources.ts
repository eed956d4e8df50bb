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
        if (!(CONFIG_KEYS as readonly string[]).includes(name)) {
            problems.push(
                `${k} is not a config key of this program; the keys are ${CONFIG_KEYS.map((x) => `${CONFIG_NAMESPACE}:${x}`).join(", ")}`,
            );
            continue;
        }
        raw[name] = unwrapSecure(v);
    }
    return { raw, problems };
}

/**
 * Raw config from the Pulumi runtime. `get` returns a key's decrypted value
 * (parsed from JSON where it is an object); `isSecret` tells whether the
 * stack stores that key (or a path inside it) encrypted.
 */
export function rawConfigFromRuntime(get: (name: string) => unknown, isSecret: (name: string) => boolean): RawConfig {
    const raw: Record<string, unknown> = {};
    for (const name of CONFIG_KEYS) {
        const v = get(name);
        if (v === undefined) continue;
        raw[name] = isSecret(name) ? wrapSecretPaths(name, v) : v;
    }
    return raw;
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
