/**
 * What the plan shows of a registration's inputs: secrets redacted leaf by
 * leaf, and assets and archives (e.g. a remote.CopyToRemote's `source`)
 * described by where they come from and their content's sha256, never their
 * bytes. Pure but for reading an asset's file to hash it.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Secret } from "../settings/secret";
import { specialSecretSig, specialSigKey } from "../sdkInternals";
import { AssetRef, sha256 } from "./scripts";

/** Keys whose values are credentials wherever they appear inside a secret. */
const CREDENTIAL_KEYS = new Set(["privateKey", "password", "privateKeyPassword", "token", "agentSocketPath"]);
/** Leaves shown inside a secret object: a connection's identity, never its credentials. */
const SHOWN_IN_SECRETS = new Set(["host", "port", "user", "hostKey", "dialErrorLimit", "perDialTimeout"]);

/** The wire form of one value (as the engine receives it), looked up by the keys that lead to it. */
export type WireLookup = (keys: readonly (string | number)[]) => unknown;

const isAsset = (v: unknown): boolean => pulumi.asset.Asset.isInstance(v) || pulumi.asset.Archive.isInstance(v);

/**
 * Unwraps Pulumi secrets and redacts them leaf by leaf with "[secret]".
 * A secret object keeps its shape; inside it, credential keys and every leaf
 * that is not plainly identifying (host, port, user, hostKey) are redacted.
 * Assets become AssetRefs, read from their wire form (`wire`).
 */
export function redact(
    v: unknown,
    insideSecret = false,
    keyName = "",
    wire?: WireLookup,
    keys: readonly (string | number)[] = [],
): unknown {
    if (v && typeof v === "object" && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig) {
        return redact((v as { value: unknown }).value, true, keyName, wire, keys);
    }
    if (isAsset(v)) {
        const ref: AssetRef = wire ? assetRef(wire(keys)) : { asset: "unknown" };
        return insideSecret && ref.text !== undefined ? { ...ref, text: Secret.placeholder } : ref;
    }
    if (Array.isArray(v)) return v.map((x, i) => redact(x, insideSecret, keyName, wire, [...keys, i]));
    if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>))
            out[k] = redact(x, insideSecret, k, wire, [...keys, k]);
        return out;
    }
    if (CREDENTIAL_KEYS.has(keyName) && v !== undefined && v !== null) return Secret.placeholder;
    if (insideSecret && !SHOWN_IN_SECRETS.has(keyName) && v !== undefined && v !== null) return Secret.placeholder;
    return v;
}

/** Follows `keys` through a wire value, looking through secret and output-value wrappers. */
export function wireAt(root: unknown, keys: readonly (string | number)[]): unknown {
    let node = root;
    for (const k of keys) {
        node = unwrapWire(node);
        node = node && typeof node === "object" ? (node as Record<string | number, unknown>)[k] : undefined;
    }
    return unwrapWire(node);
}
function unwrapWire(v: unknown): unknown {
    let node = v;
    while (node && typeof node === "object" && specialSigKey in node && "value" in node && !isWireAsset(node))
        node = (node as { value: unknown }).value;
    return node;
}
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const isWireAsset = (v: object) =>
    [ASSET_SIG, ARCHIVE_SIG].includes(String((v as Record<string, unknown>)[specialSigKey]));

/** A path as the plan shows it: relative to the working directory (the project) when inside it. */
function shownPath(p: string): string {
    const rel = path.relative(process.cwd(), path.resolve(p));
    return rel.startsWith("..") || path.isAbsolute(rel) ? p : rel.split(path.sep).join("/");
}

/** sha256 of a file's bytes, or of a directory's listing (relative path and sha256 per file); none if unreadable. */
export function contentSha256(p: string): string | undefined {
    try {
        const st = fs.statSync(p);
        if (st.isFile()) return sha256(fs.readFileSync(p));
        const lines: string[] = [];
        const walk = (dir: string) => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
                const f = path.join(dir, e.name);
                if (e.isDirectory()) walk(f);
                else lines.push(`${path.relative(p, f).split(path.sep).join("/")}\t${sha256(fs.readFileSync(f))}\n`);
            }
        };
        walk(p);
        return sha256(lines.join(""));
    } catch {
        return undefined;
    }
}

/** Describes an asset or archive from its wire form: `{ <sig>, path | text | uri | assets }`. */
export function assetRef(w: unknown): AssetRef {
    const o = (w ?? {}) as Record<string, unknown>;
    const archive = o[specialSigKey] === ARCHIVE_SIG;
    if (typeof o.path === "string") {
        const sha = contentSha256(o.path);
        return { asset: archive ? "file-archive" : "file", path: shownPath(o.path), ...(sha ? { sha256: sha } : {}) };
    }
    if (typeof o.uri === "string") return { asset: archive ? "remote-archive" : "remote", uri: o.uri };
    if (typeof o.text === "string") return { asset: "string", text: o.text };
    if (o.assets && typeof o.assets === "object") {
        const names = Object.keys(o.assets).sort();
        const assets = Object.fromEntries(names.map((n) => [n, assetRef((o.assets as Record<string, unknown>)[n])]));
        return { asset: "asset-archive", assets };
    }
    return { asset: "unknown" };
}
