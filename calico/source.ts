/**
 * The upstream Calico manifest of the stack's version: found in
 * CALICO_MANIFEST_DIR, in the local cache, at a user path, or downloaded once
 * from its pinned URL and cached by sha256. A sha256 mismatch is an error that
 * shows both hashes and how to pin the file with calico.manifest.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CalicoSettings } from "../settings/types";
import { manifestDirFor, ManifestVariant } from "./versions";

export interface LoadedManifest {
    readonly text: string;
    readonly sha256: string;
    readonly variant: ManifestVariant;
    /** Where it came from, for the plan's summary. */
    readonly source: string;
}

export interface ManifestEnv {
    /** A directory laid out like shared/calico: <dir>/v3.8/calico.yaml. Default: $CALICO_MANIFEST_DIR. */
    readonly manifestDir?: string;
    /** Download cache. Default: $F2C_CACHE_DIR or ~/.cache/flannel-to-calico. */
    readonly cacheDir?: string;
    /** Fetches a URL; replaced in tests. */
    readonly fetch?: (url: string) => Promise<Buffer>;
}

export function sha256Hex(data: string | Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

function mismatch(what: string, expected: string, actual: string, version: string): Error {
    return new Error(
        `${what} has sha256 ${actual}, expected ${expected}. If you reviewed this file and trust it, pin it: ` +
            `pulumi config set --path flannel-to-calico:calico.manifest.url <url> and --path flannel-to-calico:calico.manifest.sha256 ${actual} ` +
            `(or calico.manifest.path for a local copy), keeping calico.version ${version}`,
    );
}

/** Downloads a URL with Node's built-in fetch (redirects followed, 30 s timeout). */
export async function download(url: string): Promise<Buffer> {
    let res: Response;
    try {
        res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(30000) });
    } catch (e) {
        const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
        throw new Error(`GET ${url}: ${cause} (no network? set CALICO_MANIFEST_DIR or calico.manifest.path)`);
    }
    if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
}

/** Reads a user's manifest file; a missing or unreadable file is an error that names the key. */
function readUserManifest(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? (e as Error).message})`;
        throw new Error(
            `flannel-to-calico:calico.manifest.path is "${file}", which ${why}: give the path of the calico.yaml ` +
                "you reviewed, relative to the directory pulumi runs in, or use calico.manifest.url with its sha256",
        );
    }
}

/** Loads one variant of the stack's manifest. */
export async function loadManifest(
    c: CalicoSettings,
    variant: ManifestVariant,
    env: ManifestEnv = {},
): Promise<LoadedManifest> {
    const m = c.manifest;
    if (m.kind === "path") {
        const text = readUserManifest(m.path);
        const sha = sha256Hex(text);
        if (m.sha256 && m.sha256 !== sha)
            throw mismatch(`calico.manifest.path ${m.path}`, m.sha256, sha, c.versionText);
        return { text, sha256: sha, variant, source: m.path };
    }
    const pinned = m.kind === "known" ? m.known.manifests[variant] : { url: m.url, sha256: m.sha256 };
    const dir = env.manifestDir ?? process.env.CALICO_MANIFEST_DIR;
    if (dir && m.kind === "known") {
        const file = path.join(dir, manifestDirFor(c.version), `${variant}.yaml`);
        if (fs.existsSync(file)) {
            const text = fs.readFileSync(file, "utf8");
            const sha = sha256Hex(text);
            if (sha !== pinned.sha256)
                throw mismatch(`${file} (CALICO_MANIFEST_DIR)`, pinned.sha256, sha, c.versionText);
            return {
                text,
                sha256: sha,
                variant,
                source: `CALICO_MANIFEST_DIR/${manifestDirFor(c.version)}/${variant}.yaml`,
            };
        }
    }
    const cacheDir =
        env.cacheDir ?? process.env.F2C_CACHE_DIR ?? path.join(os.homedir(), ".cache", "flannel-to-calico");
    const cached = path.join(cacheDir, `${pinned.sha256}.yaml`);
    if (fs.existsSync(cached)) {
        const text = fs.readFileSync(cached, "utf8");
        if (sha256Hex(text) === pinned.sha256) return { text, sha256: pinned.sha256, variant, source: pinned.url };
    }
    const body = await (env.fetch ?? download)(pinned.url);
    const sha = sha256Hex(body);
    if (sha !== pinned.sha256) {
        const note =
            m.kind === "known" && c.version.minor === 8
                ? " (the pinned v3.8.9 file was re-rendered from upstream sources, because upstream never committed that YAML; a served file may differ)"
                : "";
        throw mismatch(`${pinned.url}${note}`, pinned.sha256, sha, c.versionText);
    }
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cached, body);
    return { text: body.toString("utf8"), sha256: sha, variant, source: pinned.url };
}
