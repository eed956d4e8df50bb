/**
 * The program as a factory: settings in, resources registered, outputs out.
 * index.ts calls it with the stack's settings; tests and the offline plan call
 * it many times in one process with settings of their choosing.
 *
 * Order: everything that can fail on input (manifest source, sha256, API
 * versions) runs before the first resource; then the network check's probes
 * and its baseline under Flannel; then the nodes are prepared in waves; then
 * Calico's configuration, Typha when it runs, and Calico's workloads after it;
 * then the network check, which the stack's outputs wait on.
 */
import * as pulumi from "@pulumi/pulumi";
import { NAMES } from "./identity";
import { Settings } from "./settings";
import { createProviders, Providers } from "./providers";
import { NodePreparation } from "./nodes/component";
import { Calico, Typha } from "./calico/components";
import { prepareCalico } from "./calico/prepare";
import { ManifestEnv } from "./calico/source";
import { NetworkCheck, NetworkCheckOutput } from "./verify/component";

export interface BuildOptions {
    /** Expands "~/" in the kubeconfig path; identity by default so plans are machine-independent. */
    readonly expandPath?: (p: string) => string;
    /** Where manifests come from (CALICO_MANIFEST_DIR, cache, download). */
    readonly manifests?: ManifestEnv;
}

export interface StackOutputs {
    readonly cluster: string;
    readonly mode: string;
    readonly podCidr: string;
    readonly calicoVersion: string;
    readonly calicoManifestSha256: string;
    readonly typhaReplicas: number;
    readonly typhaReason: string;
    readonly nodesPerWave: readonly (readonly string[])[];
    /** The in-cluster network check's verdicts, coverage and time (absent with verify.enabled false). */
    readonly networkCheck?: pulumi.Output<NetworkCheckOutput>;
}

export interface Migration {
    readonly providers: Providers;
    readonly nodes: NodePreparation;
    readonly calico: Calico;
    readonly typha?: Typha;
    readonly networkCheck?: NetworkCheck;
    readonly outputs: StackOutputs;
    /** Things the plan's summary should say about what was built (e.g. what a mode switch rolls). */
    readonly notes: readonly string[];
}

export async function buildMigration(s: Settings, opts: BuildOptions = {}): Promise<Migration> {
    const prepared = await prepareCalico(s, opts.manifests);
    const providers = createProviders(s, opts.expandPath ?? ((p) => p));
    // The probes and the baseline Job run under Flannel, before any node changes.
    const check = s.verify.enabled
        ? new NetworkCheck(NAMES.networkCheck, {
              settings: s,
              provider: providers.kubernetes,
              manifestSha256: prepared.sha256,
          })
        : undefined;
    const nodes = new NodePreparation(NAMES.nodes, {
        settings: s,
        provider: providers.command,
        images: prepared.images,
        cniBinDir: prepared.cni.binDir,
        cniNetDir: prepared.cni.netDir,
        ...(check ? { after: check.baseline } : {}),
    });
    // Calico's objects wait on the last wave anyway; registering them after it keeps the program's order plain.
    const lastWave = await nodes.done;
    const calico = new Calico(NAMES.calico, {
        settings: s,
        parts: prepared.parts,
        provider: providers.kubernetes,
        after: [lastWave],
    });
    const typha = s.typha.enabled
        ? new Typha(NAMES.typha, {
              objects: prepared.typha,
              provider: providers.kubernetes,
              after: calico.base,
              adopt: s.calico.adopt,
          })
        : undefined;
    const calicoNode = calico.workloads(typha ? [typha.deployment] : []);
    // The network check runs once Calico's workloads are ready; the outputs wait on it.
    const networkCheck = check?.check([calicoNode, calico.kubeControllers, ...(typha ? [typha.deployment] : [])]);
    const outputs: StackOutputs = {
        cluster: s.cluster.name,
        mode: s.network.mode,
        podCidr: s.cluster.podCidr.text,
        calicoVersion: s.calico.versionText,
        calicoManifestSha256: prepared.sha256,
        typhaReplicas: s.typha.replicas,
        typhaReason: s.typha.reason,
        nodesPerWave: s.rollout.waves,
        ...(networkCheck ? { networkCheck } : {}),
    };
    return {
        providers,
        nodes,
        calico,
        ...(typha ? { typha } : {}),
        ...(check ? { networkCheck: check } : {}),
        outputs,
        notes: planNotes(s, prepared.source, prepared.warnings),
    };
}

/** What the plan's summary says about this build, beyond the settings. */
function planNotes(s: Settings, source: string, warnings: readonly string[]): string[] {
    return [
        `manifest: ${source} (${s.typha.enabled ? "Typha" : "plain"} variant)`,
        ...warnings,
        "switching network.mode among ipip, bgp and crossSubnet changes IPPool default-ipv4-ippool (and the BGP resources) only, " +
            "and runs the network check again; " +
            "a switch to or from vxlan also changes calico-config's calico_backend and calico-node's probes, which rolls calico-node one node at a time",
        `the IPPool's cidr (${s.cluster.podCidr.text}) and blockSize (/${s.network.blockSize}) cannot change in place: the pool is protected, ` +
            "so changing cluster.podCidr or network.blockSize fails at pulumi up instead of deleting the live pool; " +
            `migrate pools by hand (Calico's "migrate pools" procedure) first`,
        "protected (protect + retainOnDelete): the CRDs, IPPool default-ipv4-ippool, ConfigMap calico-config and DaemonSet calico-node; " +
            "destroying this stack leaves them and the migrated nodes in place",
    ];
}
