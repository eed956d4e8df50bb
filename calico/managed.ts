/**
 * The Calico objects this program writes itself instead of taking them from
 * the manifest: the IPv4 pool and the BGP configuration. Pure functions.
 */
import { NetworkMode, NetworkSettings } from "../settings/types";
import { K8sObject } from "./manifest";

import { IPPOOL_NAME } from "./protection";

export { IPPOOL_NAME };
const CALICO_API = "crd.projectcalico.org/v1";

export function poolModes(mode: NetworkMode): { ipipMode: string; vxlanMode: string } {
    switch (mode) {
        case "ipip":
            return { ipipMode: "Always", vxlanMode: "Never" };
        case "bgp":
            return { ipipMode: "Never", vxlanMode: "Never" };
        case "crossSubnet":
            return { ipipMode: "CrossSubnet", vxlanMode: "Never" };
        case "vxlan":
            return { ipipMode: "Never", vxlanMode: "Always" };
    }
}

/**
 * The pool's identity: Calico cannot change them in place (its docs' "migrate
 * pools" procedure adds a new pool instead), and pulumi-kubernetes patches a
 * custom resource's spec in place, so they are marked replaceOnChanges; with
 * protect, a change then fails at `pulumi up`.
 */
export const IPPOOL_IDENTITY_FIELDS = ["spec.cidr", "spec.blockSize"] as const;

/**
 * The cluster's IPv4 pool, every field explicit: both modes (Felix from v3.23 ignores a pool
 * lacking either), and `clientDefaults` (sideEffects.ts ipPoolClientDefaults) for the fields the
 * version's CRD has, as libcalico's client would have written them.
 */
export function ipPool(podCidr: string, n: NetworkSettings, clientDefaults: Record<string, unknown> = {}): K8sObject {
    return {
        apiVersion: CALICO_API,
        kind: "IPPool",
        metadata: { name: IPPOOL_NAME },
        spec: {
            cidr: podCidr,
            blockSize: n.blockSize,
            ...poolModes(n.mode),
            natOutgoing: n.natOutgoing,
            nodeSelector: n.poolNodeSelector,
            ...clientDefaults,
        },
    };
}

/**
 * BGPConfiguration "default" and one BGPPeer per configured peer. Without BIRD (plain vxlan)
 * the BGPConfiguration is still managed, empty, because calico-node v3.32 creates one itself
 * when none exists (SIDE_EFFECTS bgpconfiguration-default-v3.32) and a later switch to a BIRD
 * mode would then fail to create it (AlreadyExists).
 */
export function bgpObjects(n: NetworkSettings): K8sObject[] {
    if (!n.bgp) return [{ apiVersion: CALICO_API, kind: "BGPConfiguration", metadata: { name: "default" }, spec: {} }];
    const config: K8sObject = {
        apiVersion: CALICO_API,
        kind: "BGPConfiguration",
        metadata: { name: "default" },
        spec: { asNumber: n.bgp.asNumber, nodeToNodeMeshEnabled: n.bgp.nodeToNodeMesh, logSeverityScreen: "Info" },
    };
    const peers = n.bgp.peers.map((p): K8sObject => ({
        apiVersion: CALICO_API,
        kind: "BGPPeer",
        metadata: { name: p.name },
        spec: { peerIP: p.peerIP, asNumber: p.asNumber, ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}) },
    }));
    return [config, ...peers];
}
