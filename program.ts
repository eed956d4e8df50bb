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
import { Library } from "./nodes/bundle";
import * as fs from "fs";
import * as path from "path";
import { Calico, Typha } from "./calico/components";
import { prepareCalico } from "./calico/prepare";
import { ManifestEnv } from "./calico/source";
import { encapOverhead, firstFoundFamily, ipAutodetectionChoice, mtuChoice, NetworkChoice } from "./calico/autodetect";
import { calicoNodeTimeouts, CalicoNodeTimeouts, pulumiUpTimeoutMinutes } from "./calico/timeouts";
import { networkState, stateText } from "./calico/modeSwitch";
import { CONFIG_HASH_ANNOTATION } from "./calico/patches";
import { felixFollowsPools } from "./calico/sideEffects";
import { estimateWindow, recommendedParallel } from "./plan/window";
import { NetworkCheck, NetworkCheckOutput } from "./verify/component";

export interface BuildOptions {
    /** Expands "~/" in the kubeconfig path; identity by default so plans are machine-independent. */
    readonly expandPath?: (p: string) => string;
    /** Where manifests come from (CALICO_MANIFEST_DIR, cache, download). */
    readonly manifests?: ManifestEnv;
    /**
     * Write the node step library where CopyToRemote reads it (LIBRARY_DIR, relative to the
     * project: what pulumi runs in). index.ts does; the offline plan writes its own copy. Default false.
     */
    readonly writeLibrary?: boolean;
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
    /** The Kubernetes provider's clusterIdentifier: a different one replaces every Calico object. */
    readonly clusterIdentity: string;
    /** calico_backend, pool encapsulation and Felix's encapsulations, as the mode-switch guard records them. */
    readonly networkState: string;
    /** The pod MTU Calico will use, and why. */
    readonly calicoMtu: NetworkChoice;
    /** calico-node's IP autodetection, and why. */
    readonly ipAutodetection: NetworkChoice;
    /** calico-node's await bounds: create (every node at once) and update (maxUnavailable at a time). */
    readonly calicoNodeAwait: CalicoNodeTimeouts;
    /** The longest pulumi up of this stack: the deploy workflow's timeout. */
    readonly pulumiUpTimeoutMinutes: number;
    /** The --parallel the deploy workflow passes to pulumi up: a whole wave at once (plan/window.ts). */
    readonly recommendedParallel: number;
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
    /** Per node, each step's result line from `pulumi up` (stack output nodeResults; empty in previews). */
    readonly nodeResults: pulumi.Output<Record<string, string>>;
    /** Things the plan's summary should say about what was built (e.g. what a mode switch rolls). */
    readonly notes: readonly string[];
}

/** Where the node step library is written locally, relative to the project (git-ignored). */
export const LIBRARY_DIR = ".flannel-to-calico";

/** Writes the library file once (content-addressed: an existing file of that name is the same text). */
function writeLibrary(lib: Library): void {
    const file = path.join(LIBRARY_DIR, lib.fileName);
    if (fs.existsSync(file)) return;
    fs.mkdirSync(LIBRARY_DIR, { recursive: true });
    fs.writeFileSync(`${file}.tmp`, lib.text);
    fs.renameSync(`${file}.tmp`, file);
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
        localLibraryDir: LIBRARY_DIR,
        settings: s,
        provider: providers.command,
        images: prepared.images,
        cniBinDir: prepared.cni.binDir,
        cniNetDir: prepared.cni.netDir,
        flannelCheck: {
            podMtu: String(prepared.parts.configMap.data?.veth_mtu),
            encapOverhead: encapOverhead(s.network),
            ipAutodetection: s.network.ipAutodetectionMethod ?? "first-found",
            firstFound: firstFoundFamily(s.calico.version),
        },
    });
    // Calico's base objects change nothing on Flannel nodes (docs/README, "The order"): they go in
    // after every node's preflight and before the first cutover, so only calico-node waits for the last wave.
    if (opts.writeLibrary) writeLibrary(nodes.library);
    const preflight = await nodes.preflightDone;
    const calico = new Calico(NAMES.calico, {
        settings: s,
        parts: prepared.parts,
        provider: providers.kubernetes,
        commandProvider: providers.command,
        poolDefaults: prepared.poolDefaults,
        after: [preflight],
    });
    const typha = s.typha.enabled
        ? new Typha(NAMES.typha, {
              objects: prepared.typha,
              provider: providers.kubernetes,
              after: calico.base,
              adopt: s.calico.adopt,
          })
        : undefined;
    // The cutover waits for Calico's base objects, Typha and the network baseline taken under Flannel.
    const lastWave = await nodes.cutover([
        ...calico.base,
        ...(typha ? typha.resources : []),
        ...(check ? [check.baseline] : []),
    ]);
    const calicoNodeAwait = calicoNodeTimeouts(s.typha.nodeCount, s.rollout.calicoNodeMaxUnavailable);
    const workloads = calico.workloads([lastWave, ...(typha ? typha.resources : [])], {
        create: `${calicoNodeAwait.createSeconds}s`,
        update: `${calicoNodeAwait.updateSeconds}s`,
    });
    // The network check runs once Calico's workloads are ready; the outputs wait on it.
    const networkCheck = check?.check([
        workloads.calicoNode,
        workloads.kubeControllers,
        ...(typha ? typha.resources : []),
    ]);
    const outputs: StackOutputs = {
        cluster: s.cluster.name,
        mode: s.network.mode,
        podCidr: s.cluster.podCidr.text,
        calicoVersion: s.calico.versionText,
        calicoManifestSha256: prepared.sha256,
        typhaReplicas: s.typha.replicas,
        typhaReason: s.typha.reason,
        nodesPerWave: s.rollout.waves,
        clusterIdentity: s.cluster.id,
        networkState: stateText(networkState(s.calico.version, s.network.mode, s.network.vxlanTransition)),
        calicoMtu: mtuChoice(s.network, String(prepared.parts.configMap.data?.veth_mtu), s.calico.version),
        ipAutodetection: ipAutodetectionChoice(s.network, s.calico.version),
        calicoNodeAwait,
        pulumiUpTimeoutMinutes: pulumiUpTimeoutMinutes({
            nodeWaves: s.rollout.waves.length,
            calicoNode: calicoNodeAwait,
            typha: s.typha.enabled,
            preflightMinutes: estimateWindow(s.rollout.waves, recommendedParallel(s.rollout.waveSize)).preflightMinutes,
        }),
        recommendedParallel: recommendedParallel(s.rollout.waveSize),
        ...(networkCheck ? { networkCheck } : {}),
    };
    return {
        providers,
        nodes,
        calico,
        ...(typha ? { typha } : {}),
        ...(check ? { networkCheck: check } : {}),
        outputs,
        nodeResults: nodes.results(),
        notes: planNotes(s, prepared.source, prepared.warnings),
    };
}

/** What the plan's summary says about this build, beyond the settings. */
function planNotes(s: Settings, source: string, warnings: readonly string[]): string[] {
    return [
        `manifest: ${source} (${s.typha.enabled ? "Typha" : "plain"} variant)`,
        ...warnings,
        "switching network.mode among ipip, bgp and crossSubnet changes IPPool default-ipv4-ippool (and the BGP resources) only " +
            "(to or from bgp, preflight also re-checks the MTU on every node); " +
            'a switch to or from vxlan takes three pulumi ups with network.vxlanTransition in between (README, "Switching to or from vxlan"): ' +
            `a one-step switch is refused at pulumi up by the ${NAMES.networkGuard} command`,
        `the IPPool's cidr (${s.cluster.podCidr.text}) and blockSize (/${s.network.blockSize}) are replaceOnChanges and ` +
            "the pool is protected: changing cluster.podCidr or network.blockSize fails at pulumi preview and pulumi up " +
            '("unable to replace resource ... default-ipv4-ippool as it is currently marked for protection") instead of ' +
            "touching the live pool. Migrate pools as Calico documents it (add a pool with the new cidr, set disabled: true " +
            "on default-ipv4-ippool, recreate every pod holding one of its addresses, delete it), then drop the old pool " +
            'from this stack\'s state and set cluster.podCidr (README, "Changing the pod CIDR")',
        `calico-config changes in place (provider enableConfigMapMutable) and calico-node rolls on any change of the calico-config keys ` +
            `it reads (pod-template annotation ${CONFIG_HASH_ANNOTATION}), ${s.rollout.calicoNodeMaxUnavailable} node(s) at a time ` +
            "(rollout.calicoNodeMaxUnavailable)",
        ...(s.calico.adopt && felixFollowsPools(s.calico.version)
            ? [
                  "calico.adopt: Calico was applied before, so FelixConfiguration default may still say ipipEnabled or " +
                      "vxlanEnabled (libcalico wrote them before v3.23); an explicit false there overrides the pools: check " +
                      "kubectl get felixconfigurations.crd.projectcalico.org default -o yaml",
              ]
            : []),
        "protected (protect + retainOnDelete): the CRDs, IPPool default-ipv4-ippool, ConfigMap calico-config and DaemonSet calico-node; " +
            "destroying this stack leaves them and the migrated nodes in place",
    ];
}
