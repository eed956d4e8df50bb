/** Kubernetes and Calico versions: parsing, the pinned Calico manifests, and what each can run on. */

export interface Version {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
    readonly text: string;
}

/** Parses "1.14.2", "v1.14.2" or "1.14"; undefined when it is none of those. */
export function parseVersion(s: unknown): Version | undefined {
    if (typeof s !== "string" && typeof s !== "number") return undefined;
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(String(s).trim());
    if (!m) return undefined;
    const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    return { major, minor, patch, text: `${major}.${minor}.${patch}` };
}

/** -1, 0 or 1 comparing major.minor only. */
export function compareMinor(a: { major: number; minor: number }, b: { major: number; minor: number }): number {
    return a.major !== b.major ? Math.sign(a.major - b.major) : Math.sign(a.minor - b.minor);
}

export type ManifestVariant = "calico" | "calico-typha";

export interface PinnedManifest {
    readonly url: string;
    readonly sha256: string;
}

export interface KnownCalico {
    /** "v3.8.9" */
    readonly version: string;
    /** Directory name under CALICO_MANIFEST_DIR: "v3.8". */
    readonly dir: string;
    readonly manifests: Readonly<Record<ManifestVariant, PinnedManifest>>;
    /** Kubernetes minor versions the manifest's API versions can be served by (inclusive). */
    readonly kubernetes: { readonly min?: string; readonly max?: string; readonly why: string };
    /** The range Calico's own docs list as tested. */
    readonly tested: { readonly min: string; readonly max: string };
}

/** Pinned upstream manifests; sha256 from shared/calico/SOURCES.md. */
export const KNOWN_CALICO: readonly KnownCalico[] = [
    {
        version: "v3.8.9",
        dir: "v3.8",
        manifests: {
            calico: {
                url: "https://docs.projectcalico.org/v3.8/manifests/calico.yaml",
                sha256: "c1a2eb14c41ffba4fff432e9a3d2576315fe191339fe30e6fc2988193a77bdba",
            },
            "calico-typha": {
                url: "https://docs.projectcalico.org/v3.8/manifests/calico-typha.yaml",
                sha256: "c60650a916dafdd166b43ea321a43e16040a26c31513bfc1c240604052b9a3d6",
            },
        },
        kubernetes: { max: "1.21", why: "its CRDs use apiextensions.k8s.io/v1beta1, removed in Kubernetes 1.22" },
        tested: { min: "1.13", max: "1.15" },
    },
    {
        version: "v3.26.5",
        dir: "v3.26",
        manifests: {
            calico: {
                url: "https://raw.githubusercontent.com/projectcalico/calico/v3.26.5/manifests/calico.yaml",
                sha256: "2468a8c939658b959860b0e78c3d2f420c53bb08af7511f3d335e051f9db8b22",
            },
            "calico-typha": {
                url: "https://raw.githubusercontent.com/projectcalico/calico/v3.26.5/manifests/calico-typha.yaml",
                sha256: "581fb773a10c224a0dd3c23e8ebd7ba7a468465a44c328b7ccdc66f58cb0b086",
            },
        },
        kubernetes: { min: "1.21", why: "its PodDisruptionBudgets use policy/v1, served from Kubernetes 1.21" },
        tested: { min: "1.24", max: "1.28" },
    },
    {
        version: "v3.32.1",
        dir: "v3.32",
        manifests: {
            calico: {
                url: "https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml",
                sha256: "a1df919d9721cf667accdc3e72848911b0cb25cfab7d2478ad0c996302c95744",
            },
            "calico-typha": {
                url: "https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico-typha.yaml",
                sha256: "7ecc42a5ca2bd47764384f5c52b89b007c06cbf907fd3214c1cf4abc75ead76f",
            },
        },
        kubernetes: { min: "1.21", why: "its PodDisruptionBudgets use policy/v1, served from Kubernetes 1.21" },
        tested: { min: "1.34", max: "1.36" },
    },
];

export function findKnownCalico(version: string): KnownCalico | undefined {
    return KNOWN_CALICO.find((k) => k.version === version);
}

/** The known entry of the same minor (v3.8.x -> v3.8.9), for gates on custom manifests. */
export function knownCalicoMinor(v: Version): KnownCalico | undefined {
    return KNOWN_CALICO.find((k) => {
        const kv = parseVersion(k.version);
        return kv !== undefined && compareMinor(kv, v) === 0;
    });
}

/** The CALICO_MANIFEST_DIR sub-directory for a version: v3.8.9 -> "v3.8". */
export function manifestDirFor(v: Version): string {
    return `v${v.major}.${v.minor}`;
}

/**
 * Kubernetes API versions that appear in manifests and the Kubernetes minor
 * range that serves them; used on the parsed manifest itself, so a custom
 * manifest of any version is gated by what it really contains.
 */
export const API_VERSION_GATES: Readonly<Record<string, { min?: string; max?: string }>> = {
    "apiextensions.k8s.io/v1beta1": { max: "1.21" },
    "apiextensions.k8s.io/v1": { min: "1.16" },
    "policy/v1beta1": { max: "1.24" },
    "policy/v1": { min: "1.21" },
    "rbac.authorization.k8s.io/v1beta1": { max: "1.21" },
    "extensions/v1beta1": { max: "1.15" },
    "apps/v1beta1": { max: "1.15" },
    "apps/v1beta2": { max: "1.15" },
};
