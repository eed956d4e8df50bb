/** The `calico` section: version, where its manifest comes from, the image mirror, adoption of a kubectl install. */
import {
    compareMinor,
    findKnownCalico,
    KNOWN_CALICO,
    knownCalicoMinor,
    parseVersion,
    Version,
} from "../calico/versions";
import { Raw, Reader } from "./reader";
import { CalicoSettings, ManifestSource } from "./types";

const KEYS = ["version", "manifest", "imageRegistry", "adopt"];
const REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9._-]+)*$/i;
const SHA256 = /^[0-9a-f]{64}$/;
const KNOWN_LIST = KNOWN_CALICO.map((x) => x.version).join(", ");

function readVersion(r: Reader, v: unknown): { text?: string; version?: Version } {
    if (typeof v === "number") {
        r.problem(
            "calico.version",
            v,
            `YAML read this version as a number; quote it with its v and patch: version: "v3.26.5"`,
        );
        return {};
    }
    const text = r.string("calico.version", v);
    if (text === undefined) {
        r.problem(
            "calico.version",
            undefined,
            `it is required: one of ${KNOWN_LIST}, or the version of the manifest in calico.manifest`,
        );
        return {};
    }
    const version = parseVersion(text);
    if (!version || !/^v\d+\.\d+\.\d+$/.test(text)) {
        r.problem("calico.version", text, `expected a full Calico version like v3.26.5 (known: ${KNOWN_LIST})`);
        return { text };
    }
    return { text, version };
}

function readManifest(r: Reader, v: unknown, versionText?: string): ManifestSource | undefined {
    const mo = r.object("calico.manifest", v, false);
    if (!mo) {
        if (!versionText) return undefined;
        const known = findKnownCalico(versionText);
        if (!known) {
            r.problem(
                "calico.version",
                versionText,
                `no manifest is pinned for this version (known: ${KNOWN_LIST}); choose one of those, or set calico.manifest ` +
                    `{ url, sha256 } or { path } with the manifest of ${versionText}`,
            );
        }
        return known ? { kind: "known", known } : undefined;
    }
    r.unknownKeys("calico.manifest", mo, ["url", "path", "sha256"]);
    const url = r.string("calico.manifest.url", mo.url);
    const path = r.string("calico.manifest.path", mo.path);
    const sha = r.string("calico.manifest.sha256", mo.sha256);
    const shaOk = sha !== undefined && SHA256.test(sha);
    if (sha !== undefined && !shaOk)
        r.problem("calico.manifest.sha256", sha, "expected 64 lower-case hex digits (sha256sum calico.yaml)");
    if (url && path) {
        r.problem("calico.manifest", mo, "set either url or path, not both");
    } else if (url) {
        if (!/^https:\/\//.test(url)) r.problem("calico.manifest.url", url, "expected an https:// URL");
        if (sha === undefined) {
            r.problem(
                "calico.manifest.sha256",
                undefined,
                "a downloaded manifest must be pinned: set the sha256 of the file you reviewed (sha256sum calico.yaml)",
            );
        } else if (shaOk) {
            return { kind: "url", url, sha256: sha };
        }
    } else if (path) {
        return { kind: "path", path, ...(shaOk ? { sha256: sha } : {}) };
    } else {
        r.problem("calico.manifest", mo, "set url (with sha256) or path");
    }
    return undefined;
}

/** Calico vs Kubernetes: what the manifest's API versions can run on, and what Calico was tested with. */
function checkKubernetes(r: Reader, versionText: string, calico: Version, kv: Version): void {
    const known = knownCalicoMinor(calico);
    if (!known) return;
    const { min, max, why } = known.kubernetes;
    const maxV = max ? parseVersion(max) : undefined;
    const minV = min ? parseVersion(min) : undefined;
    const tested = { min: parseVersion(known.tested.min), max: parseVersion(known.tested.max) };
    if (maxV && compareMinor(kv, maxV) > 0) {
        r.problem(
            "calico.version",
            versionText,
            `Calico ${versionText} cannot run on Kubernetes ${kv.text}: ${why}. ` +
                `Use v3.26.5 or later for Kubernetes ${kv.major}.${kv.minor} (and check cluster.kubernetesVersion)`,
        );
    } else if (minV && compareMinor(kv, minV) < 0) {
        r.problem(
            "calico.version",
            versionText,
            `Calico ${versionText} cannot run on Kubernetes ${kv.text}: ${why}. ` +
                `Use v3.8.9 for Kubernetes ${kv.major}.${kv.minor}, or upgrade Kubernetes first`,
        );
    } else if ((tested.min && compareMinor(kv, tested.min) < 0) || (tested.max && compareMinor(kv, tested.max) > 0)) {
        r.warn(
            `Kubernetes ${kv.text} is outside the range Calico ${known.dir} was tested with ` +
                `(${known.tested.min}-${known.tested.max}); it can work, but test it on a staging cluster first`,
        );
    }
}

export function readCalico(r: Reader, raw: unknown, deps: { kubernetesVersion?: Version }): CalicoSettings | undefined {
    const k: Raw = r.section("calico", raw, KEYS, true);
    const { text: versionText, version } = readVersion(r, k.version);
    const manifest = readManifest(r, k.manifest, version ? versionText : undefined);
    const imageRegistry = r.string("calico.imageRegistry", k.imageRegistry);
    if (imageRegistry !== undefined && !REGISTRY.test(imageRegistry)) {
        r.problem(
            "calico.imageRegistry",
            imageRegistry,
            "expected a registry host with an optional port and path, such as registry.example.com:5000/mirror (no scheme, no trailing slash)",
        );
    }
    const adopt = r.bool("calico.adopt", k.adopt, false);
    const kv = deps.kubernetesVersion;
    if (adopt && kv && compareMinor(kv, { major: 1, minor: 22 }) < 0) {
        r.problem(
            "calico.adopt",
            true,
            `adopting needs server-side apply, which this program turns on from Kubernetes 1.22 (the cluster is ${kv.text}); ` +
                "set calico.adopt: false and bring the existing objects under Pulumi with pulumi import, or delete them inside the maintenance window",
        );
    }
    if (versionText && version && kv) checkKubernetes(r, versionText, version, kv);
    if (!versionText || !version || !manifest) return undefined;
    return { version, versionText, manifest, ...(imageRegistry ? { imageRegistry } : {}), adopt };
}
