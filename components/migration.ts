/**
 * The program as a factory: settings in, resources registered, outputs out.
 * index.ts calls it with the stack's settings; tests and the offline plan call
 * it many times in one process with settings of their choosing.
 *
 * Order: everything that can fail on input (manifest source, sha256, API
 * versions) runs before the first resource; then the nodes are prepared in
 * waves; then Calico is applied, calico-node after Typha when Typha runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { Settings, SettingsError } from "../stacks/settings";
import { createProviders, Providers } from "./providers";
import { NodePreparation } from "./nodePreparation";
import { Calico } from "./calico";
import { Typha } from "./typha";
import { apiVersionProblems, cniHostPaths, isTyphaObject, K8sObject, manifestImages, parseManifest, patchCalico, patchTypha } from "./calicoManifest";
import { loadManifest, ManifestEnv } from "./manifest";

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
}

export interface Migration {
    readonly providers: Providers;
    readonly nodes: NodePreparation;
    readonly calico: Calico;
    readonly typha?: Typha;
    readonly outputs: StackOutputs;
    /** Things the plan's summary should say about what was built (e.g. what a mode switch rolls). */
    readonly notes: readonly string[];
}

export interface PreparedCalico {
    readonly sha256: string;
    readonly source: string;
    readonly calico: K8sObject[];
    readonly typha: K8sObject[];
    readonly images: string[];
    readonly cni: { binDir: string; netDir: string };
    readonly warnings: string[];
}

/** Loads, checks and patches the manifest variant the settings call for. Throws SettingsError on bad input. */
export async function prepareCalico(s: Settings, env: ManifestEnv = {}): Promise<PreparedCalico> {
    const variant = s.typha.enabled ? "calico-typha" : "calico";
    const m = await loadManifest(s.calico, variant, env);
    const what = `the Calico ${s.calico.versionText} manifest (${m.source})`;
    const objects = parseManifest(m.text, what);
    const problems = apiVersionProblems(objects, s.cluster.kubernetesVersion, what);
    if (s.typha.enabled && !objects.some((o) => o.kind === "Deployment" && o.metadata.name === "calico-typha")) {
        problems.push(`flannel-to-calico:typha is on (${s.typha.reason}) but ${what} has no calico-typha Deployment: give calico.manifest the calico-typha.yaml variant, or set typha.enabled: false`);
    }
    if (problems.length) throw new SettingsError(problems);
    const patched = patchCalico(objects.filter((o) => !isTyphaObject(o)), { network: s.network, imageRegistry: s.calico.imageRegistry, typha: s.typha, nodeCount: s.typha.nodeCount });
    const typha = s.typha.enabled ? patchTypha(objects.filter(isTyphaObject), s.typha, s.calico.imageRegistry) : [];
    return {
        sha256: m.sha256, source: m.source, calico: patched.objects, typha,
        images: manifestImages([...patched.objects, ...typha]), cni: cniHostPaths(patched.objects), warnings: patched.warnings,
    };
}

export async function buildMigration(s: Settings, opts: BuildOptions = {}): Promise<Migration> {
    const prepared = await prepareCalico(s, opts.manifests);
    const providers = createProviders(s, opts.expandPath ?? ((p) => p));
    const nodes = new NodePreparation("nodes", {
        settings: s, provider: providers.command, images: prepared.images, cniBinDir: prepared.cni.binDir, cniNetDir: prepared.cni.netDir,
    });
    // Calico's objects wait on the last wave anyway; registering them after it keeps the program's order plain.
    const lastWave = await nodes.done;
    let typhaReady: (r: readonly pulumi.Resource[]) => void = () => undefined;
    const typhaPromise = new Promise<readonly pulumi.Resource[]>((r) => { typhaReady = r; });
    const calico = new Calico("calico", { settings: s, objects: prepared.calico, provider: providers.kubernetes, after: [lastWave], typha: typhaPromise });
    const typha = s.typha.enabled
        ? new Typha("typha", { objects: prepared.typha, provider: providers.kubernetes, after: calico.base, adopt: s.calico.adopt })
        : undefined;
    typhaReady(typha ? [typha.deployment] : []);
    const outputs: StackOutputs = {
        cluster: s.cluster.name,
        mode: s.network.mode,
        podCidr: s.cluster.podCidr.text,
        calicoVersion: s.calico.versionText,
        calicoManifestSha256: prepared.sha256,
        typhaReplicas: s.typha.replicas,
        typhaReason: s.typha.reason,
        nodesPerWave: s.rollout.waves,
    };
    const notes = [
        `manifest: ${prepared.source} (${s.typha.enabled ? "Typha" : "plain"} variant)`,
        ...prepared.warnings,
        "switching network.mode among ipip, bgp and crossSubnet changes IPPool default-ipv4-ippool (and the BGP resources) only; a switch to or from vxlan also changes calico-config's calico_backend and calico-node's probes, which rolls calico-node one node at a time",
        `the IPPool's cidr (${s.cluster.podCidr.text}) and blockSize (/${s.network.blockSize}) cannot change in place: the pool is protected, so changing cluster.podCidr or network.blockSize fails at pulumi up instead of deleting the live pool; migrate pools by hand (Calico's "migrate pools" procedure) first`,
        "protected (protect + retainOnDelete): the CRDs, IPPool default-ipv4-ippool, ConfigMap calico-config and DaemonSet calico-node; destroying this stack leaves them and the migrated nodes in place",
    ];
    return { providers, nodes, calico, ...(typha ? { typha } : {}), outputs, notes };
}
