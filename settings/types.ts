/** The typed settings of one stack, as every other module sees them. Types only. */
import { Secret } from "./secret";
import { Cidr } from "./net";
import { KnownCalico, Version } from "../calico/versions";
import { TyphaDecision } from "./typha";

export const CONFIG_NAMESPACE = "flannel-to-calico";

export type NetworkMode = "ipip" | "bgp" | "crossSubnet" | "vxlan";
export const NETWORK_MODES: readonly NetworkMode[] = ["ipip", "bgp", "crossSubnet", "vxlan"];

/** The raw config of one stack: the values under the `flannel-to-calico:` keys. Secret leaves are `Secret`s. */
export interface RawConfig {
    readonly cluster?: unknown;
    readonly network?: unknown;
    readonly ssh?: unknown;
    readonly nodes?: unknown;
    readonly calico?: unknown;
    readonly typha?: unknown;
    readonly rollout?: unknown;
    readonly verify?: unknown;
}
export const CONFIG_KEYS: readonly (keyof RawConfig)[] = [
    "cluster",
    "network",
    "ssh",
    "nodes",
    "calico",
    "typha",
    "rollout",
    "verify",
];

export interface LoadContext {
    /** The Pulumi stack name (shown in the plan; not part of resource names). */
    readonly stack: string;
    /** True for `pulumi preview` and the offline plan: node scripts will not run, so no SSH key is needed. */
    readonly dryRun: boolean;
}

export type Kubeconfig =
    { readonly kind: "path"; readonly path: string } | { readonly kind: "content"; readonly content: Secret };

export interface ClusterSettings {
    readonly name: string;
    readonly kubernetesVersion: Version;
    readonly podCidr: Cidr;
    readonly serviceCidr: Cidr;
    readonly nodeCidrs: readonly Cidr[];
    /**
     * docker0's network after the migration (its first address is the bip the docker
     * step sets): cluster.dockerBridgeCidr, else the first of docker's default pools
     * outside the pod, service and node ranges.
     */
    readonly dockerBridge: Cidr;
    readonly kubeconfig: Kubeconfig;
    readonly context: string;
    /**
     * The provider's clusterIdentifier: cluster.id, else cluster.context. Changing it
     * replaces the provider (and refuses, through protect, to replace what it manages).
     */
    readonly id: string;
    /** Which key the identifier came from, for the plan's summary. */
    readonly idFrom: "cluster.id" | "cluster.context";
    readonly production: boolean;
}

export interface BgpPeer {
    readonly name: string;
    readonly peerIP: string;
    readonly asNumber: number;
    readonly nodeSelector?: string;
}
export interface BgpSettings {
    readonly asNumber: number;
    readonly nodeToNodeMesh: boolean;
    readonly peers: readonly BgpPeer[];
}

export interface NetworkSettings {
    readonly mode: NetworkMode;
    readonly mtu?: number;
    readonly ipAutodetectionMethod?: string;
    readonly blockSize: number;
    readonly natOutgoing: boolean;
    readonly poolNodeSelector: string;
    /**
     * network.vxlanTransition: a switch to or from vxlan is under way. BIRD keeps running
     * (calico_backend bird) and Felix keeps both encapsulations on, whatever the pool says.
     */
    readonly vxlanTransition: boolean;
    /** Present whenever BIRD runs (the bird-based modes, or vxlan in transition); absent for plain vxlan. */
    readonly bgp?: BgpSettings;
}

export interface Bastion {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly hostKey?: string;
    readonly privateKey?: Secret;
}

export interface SshSettings {
    readonly user: string;
    readonly port: number;
    readonly privateKey?: Secret;
    readonly insecureIgnoreHostKeys: boolean;
    readonly bastion?: Bastion;
    readonly dialErrorLimit: number;
    readonly perDialTimeout: number;
}

export interface NodeSettings {
    readonly name: string;
    readonly address: string;
    readonly port: number;
    readonly user: string;
    readonly hostKey?: string;
    /** Position in the stack's node list (waves follow it). */
    readonly index: number;
}

export type ManifestSource =
    | { readonly kind: "known"; readonly known: KnownCalico }
    | { readonly kind: "url"; readonly url: string; readonly sha256: string }
    | { readonly kind: "path"; readonly path: string; readonly sha256?: string };

export interface CalicoSettings {
    readonly version: Version;
    /** "v3.8.9" */
    readonly versionText: string;
    readonly manifest: ManifestSource;
    readonly imageRegistry?: string;
    readonly adopt: boolean;
}

export interface RolloutSettings {
    readonly waveSize: number;
    readonly recheck: string;
    /** rollout.calicoNodeMaxUnavailable: calico-node pods replaced at once in a rolling update. */
    readonly calicoNodeMaxUnavailable: number;
    /** Node names, wave by wave. */
    readonly waves: readonly (readonly string[])[];
}

export interface VerifySettings {
    readonly enabled: boolean;
    /** As configured; calico.imageRegistry is applied where it is used (verify/plan.ts). */
    readonly image: string;
    readonly clusterDomain: string;
    /** Checked only when network.natOutgoing is true. */
    readonly outsideAddress?: { readonly host: string; readonly port: number; readonly text: string };
    /** "namespace/name", "namespace/*" or "*". */
    readonly acknowledgeNetworkPolicies: readonly string[];
}

export interface Settings {
    readonly stack: string;
    readonly cluster: ClusterSettings;
    readonly network: NetworkSettings;
    readonly ssh: SshSettings;
    readonly nodes: readonly NodeSettings[];
    readonly calico: CalicoSettings;
    readonly typha: TyphaDecision;
    readonly rollout: RolloutSettings;
    readonly verify: VerifySettings;
    /** Things a reviewer should know that do not stop the program. */
    readonly warnings: readonly string[];
}

export type LoadResult =
    | { readonly ok: true; readonly settings: Settings }
    | { readonly ok: false; readonly problems: readonly string[]; readonly warnings: readonly string[] };
