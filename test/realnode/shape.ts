/**
 * The shape of a real-node test node, as a parameter object (like HostShape
 * of the recorder-based host tests), and what it resolves to. layout.ts lays
 * it out in the node's root.
 */
import { CRI_DOCKER_SERVICE } from "./units";

export const POD_CIDR = "172.30.0.0/16";
/** docker0's address once migrated: the stack's choice for the tutorial's CIDRs (settings/dockerBridge.ts). */
export const DOCKER_BIP = "172.17.0.1/16";

export interface NodeShape {
    /** kubelet --version prints this. Default 1.14.2. */
    readonly kubeletVersion?: string;
    /** docker from the tarball layout (dockerd runs its own containerd) or Debian's containerd. Default docker. */
    readonly runtime?: "docker" | "containerd";
    /** kubelet.service text. Default: the tutorial's below 1.24, else a 1.24+ one on cri-dockerd or containerd. */
    readonly kubeletService?: string;
    /** docker.service text. Default: the tutorial's (without Flannel's EnvironmentFile when flannel is false). */
    readonly dockerService?: string;
    /** cri-dockerd under systemd (stand-in binary): true for the packaged unit, or its text. Default false. */
    readonly criDocker?: boolean | string;
    /**
     * Debian's containerd.service: absent, present but disabled and inactive, or
     * enabled. Default: absent with docker, active with containerd.
     */
    readonly containerdUnit?: "absent" | "inactive" | "active";
    /** flanneld installed, enabled (RequiredBy=docker.service) and running. Default true (false when migrated). */
    readonly flannel?: boolean;
    /** flanneld's -ip-masq rules: v0.11 (in nat POSTROUTING, the tutorial's) or chains (v0.15+). Default v0.11. */
    readonly flannelStyle?: "v0.11" | "chains";
    /** As a finished migration leaves a node (flanneld masked, units edited, Calico CNI files). Default false. */
    readonly migrated?: boolean;
    /** Stale CNI state of an earlier Calico install (k8s-pod-network IPAM dir, calico-kubeconfig). Default true. */
    readonly staleCni?: boolean;
    /** Pod sandboxes (two on docker0, one host-network) and an app container, after boot. Default: on docker nodes. */
    readonly pods?: boolean;
}

/** What differs per node besides its shape. */
export interface LayoutContext {
    readonly name: string;
    readonly index: number;
    readonly nodeAddr: string;
    readonly hostKeyFile: string;
    readonly authorizedKey: string;
}

/** This node's Flannel lease: 172.30.<8 * index>.0/21. */
export const flannelSubnet = (index: number) => `172.30.${((index - 1) % 31) * 8 + 8}.0/21`;

export interface ResolvedShape {
    readonly runtime: "docker" | "containerd";
    readonly kubeletVersion: string;
    readonly flannel: boolean;
    readonly criDocker: string | undefined;
    readonly containerdUnit: "absent" | "inactive" | "active";
    readonly pods: boolean;
    readonly services: string[];
}

export function resolveShape(s: NodeShape): ResolvedShape {
    const runtime = s.runtime ?? "docker";
    const criDocker = s.criDocker === true ? CRI_DOCKER_SERVICE : s.criDocker || undefined;
    const containerdUnit = s.containerdUnit ?? (runtime === "containerd" ? "active" : "absent");
    const flannel = s.flannel ?? !s.migrated;
    const services = [
        ...(runtime === "docker" ? ["docker"] : []),
        ...(containerdUnit === "active" ? ["containerd"] : []),
        ...(criDocker ? ["cri-docker"] : []),
        ...(flannel ? ["flanneld"] : []),
        "kubelet",
        "ssh",
    ];
    return {
        runtime,
        kubeletVersion: s.kubeletVersion ?? (runtime === "docker" && !criDocker ? "1.14.2" : "1.26.3"),
        flannel,
        criDocker,
        containerdUnit,
        pods: s.pods ?? runtime === "docker",
        services,
    };
}
