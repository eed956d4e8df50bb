/**
 * The program as a factory: settings in, resources registered, outputs out.
 * index.ts calls it with the stack's settings; tests and the offline plan call
 * it many times in one process with settings of their choosing.
 */
import { Settings } from "../stacks/settings";
import { createProviders, Providers } from "./providers";
import { NodePreparation } from "./nodePreparation";

export interface BuildOptions {
    /** Expands "~/" in the kubeconfig path; identity by default so plans are machine-independent. */
    readonly expandPath?: (p: string) => string;
}

export interface StackOutputs {
    readonly cluster: string;
    readonly mode: string;
    readonly podCidr: string;
    readonly calicoVersion: string;
    readonly calicoManifestSha256?: string;
    readonly typhaReplicas: number;
    readonly typhaReason: string;
    readonly nodesPerWave: readonly (readonly string[])[];
}

export interface Migration {
    readonly providers: Providers;
    readonly nodes: NodePreparation;
    readonly outputs: StackOutputs;
    /** Things the plan's summary should say about what was built (e.g. what a mode switch rolls). */
    readonly notes: readonly string[];
}

export async function buildMigration(s: Settings, opts: BuildOptions = {}): Promise<Migration> {
    const providers = createProviders(s, opts.expandPath ?? ((p) => p));
    const outputs: StackOutputs = {
        cluster: s.cluster.name,
        mode: s.network.mode,
        podCidr: s.cluster.podCidr.text,
        calicoVersion: s.calico.versionText,
        typhaReplicas: s.typha.replicas,
        typhaReason: s.typha.reason,
        nodesPerWave: s.rollout.waves,
    };
    const notes: string[] = [];
    // First the nodes, in waves (the tutorial's order), then Calico.
    const nodes = new NodePreparation("nodes", { settings: s, provider: providers.command });
    return { providers, nodes, outputs, notes };
}
