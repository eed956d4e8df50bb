/**
 * The Calico objects this program writes itself instead of taking them from
 * the manifest: the IPv4 pool and the BGP configuration. Pure functions.
 */
import { NetworkMode, NetworkSettings } from "../settings/types";
import { K8sObject } from "./manifest";

export const IPPOOL_NAME = "default-ipv4-ippool";
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

/** The cluster's IPv4 pool, every field explicit. */
export function ipPool(podCidr: string, n: NetworkSettings): K8sObject {
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
        },
    };
}

/** BGPConfiguration "default" and one BGPPeer per configured peer (BIRD modes only). */
export function bgpObjects(n: NetworkSettings): K8sObject[] {
    if (!n.bgp) return [];
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
