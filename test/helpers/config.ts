/** Raw stack configs for tests and the benchmark: the tutorial's cluster, and generated ones. */
import { Secret } from "../../settings/secret";
import { requireSettings } from "../../settings";
import { RawConfig, Settings } from "../../settings/types";
import { EXAMPLE_HOST_KEY, generatedNodes } from "../../plan/generate";

export const HOST_KEY = EXAMPLE_HOST_KEY;
export const FAKE_PRIVATE_KEY =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-ONLY-NOT-A-REAL-KEY-1f0e2d\n-----END OPENSSH PRIVATE KEY-----\n";
export { generatedNodes };

/** The tutorial's three-node cluster, valid as it is. */
export function tutorialRaw(overrides: Partial<Record<keyof RawConfig, unknown>> = {}): RawConfig {
    const base: Record<string, unknown> = {
        cluster: {
            name: "tutorial",
            kubernetesVersion: "1.14.2",
            podCidr: "172.30.0.0/16",
            serviceCidr: "10.254.0.0/16",
            kubeconfig: "~/.kube/config",
            context: "tutorial",
            production: false,
        },
        network: { mode: "ipip" },
        ssh: { user: "root", port: 22, privateKey: new Secret(FAKE_PRIVATE_KEY) },
        nodes: [
            { name: "zhangjun-k8s01", address: "172.27.137.240", hostKey: HOST_KEY },
            { name: "zhangjun-k8s02", address: "172.27.137.239", hostKey: HOST_KEY },
            { name: "zhangjun-k8s03", address: "172.27.137.238", hostKey: HOST_KEY },
        ],
        calico: { version: "v3.8.9" },
        typha: { enabled: "auto" },
        rollout: { recheck: "" },
    };
    for (const [k, v] of Object.entries(overrides)) {
        const cur = base[k];
        base[k] =
            v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur)
                ? { ...cur, ...v }
                : v;
    }
    return base;
}

/** A generated cluster of `count` nodes on Kubernetes 1.28 with Calico v3.26.5. */
/** The cluster section generatedRaw(count) uses; pass it to keep one cluster while the node count changes. */
export function generatedCluster(count: number): Record<string, string> {
    return {
        name: `gen-${count}`,
        kubernetesVersion: "1.28.4",
        podCidr: "172.30.0.0/16",
        serviceCidr: "10.254.0.0/16",
        context: `gen-${count}`,
    };
}

export function generatedRaw(count: number, overrides: Partial<Record<keyof RawConfig, unknown>> = {}): RawConfig {
    return tutorialRaw({
        cluster: generatedCluster(count),
        calico: { version: "v3.26.5" },
        nodes: generatedNodes(count),
        ...overrides,
    });
}

/** Validated settings for a test: the tutorial's cluster with `overrides` merged per section. */
export function settingsOf(
    overrides: Partial<Record<keyof RawConfig, unknown>> = {},
    opts: { readonly dryRun?: boolean; readonly stack?: string } = {},
): Settings {
    return requireSettings(tutorialRaw(overrides), { stack: opts.stack ?? "test", dryRun: opts.dryRun ?? true });
}

/** The directory of upstream manifests the tests read (test/setup.ts sets it before any test runs). */
export function manifestDir(): string {
    const dir = process.env.CALICO_MANIFEST_DIR;
    if (!dir) throw new Error("CALICO_MANIFEST_DIR is not set: test/setup.ts sets it before the tests run");
    return dir;
}
