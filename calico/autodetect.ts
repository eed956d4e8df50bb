/**
 * What calico-node will use for its node address and its MTU, and why: for
 * the plan, the stack outputs and preflight's check against what Flannel
 * used. Pure functions.
 */
import { NetworkSettings } from "../settings/types";
import { Version } from "./versions";

/**
 * first-found's default exclusions. v3.8.9 (node pkg/startup/startup_linux.go
 * DEFAULT_INTERFACES_TO_EXCLUDE) matches them unanchored, so any name that
 * contains "lo" is skipped, and it does not skip cni0; v3.26.5 and v3.32.1
 * (calico node/pkg/lifecycle/startup/autodetection/autodetection_linux.go)
 * anchor them and add podman, br-, cni, Calico's own devices and nodelocaldns.
 */
export const FIRST_FOUND_EXCLUDE_V38 = [
    "docker.*",
    "cbr.*",
    "dummy.*",
    "virbr.*",
    "lxcbr.*",
    "veth.*",
    "lo",
    "cali.*",
    "tunl.*",
    "flannel.*",
    "kube-ipvs.*",
] as const;
export const FIRST_FOUND_EXCLUDE_V326 = [
    "^docker.*",
    "^cbr.*",
    "^dummy.*",
    "^podman.*",
    "^virbr.*",
    "^lxcbr.*",
    "^veth.*",
    "^lo",
    "^br-.*",
    "^cali.*",
    "^tunl.*",
    "^flannel.*",
    "^kube-ipvs.*",
    "^cni.*",
    "^vxlan\\.calico.*",
    "^vxlan-v6\\.calico.*",
    "^wireguard\\.cali.*",
    "^wg-v6\\.cali.*",
    "^nodelocaldns.*",
] as const;

/**
 * The header the mode's encapsulation adds to a pod packet: IPIP 20, VXLAN 50, none for bgp
 * (calico v3.26.5 felix/dataplane/linux/int_dataplane.go ConfigureDefaultMTUs). During
 * network.vxlanTransition both are on, so VXLAN's must fit before the pool switches.
 */
export function encapOverhead(n: Pick<NetworkSettings, "mode" | "vxlanTransition">): number {
    if (n.mode === "vxlan" || n.vxlanTransition) return 50;
    return n.mode === "bgp" ? 0 : 20;
}

type V = Pick<Version, "major" | "minor">;
const before326 = (v: V) => v.major === 3 && v.minor < 26;

export function firstFoundExclusions(v: V): readonly string[] {
    return before326(v) ? FIRST_FOUND_EXCLUDE_V38 : FIRST_FOUND_EXCLUDE_V326;
}

/** Which of the two lists a version has: what node commands send instead of the list. */
export type FirstFoundFamily = "v3.8" | "v3.26";
export function firstFoundFamily(v: V): FirstFoundFamily {
    return before326(v) ? "v3.8" : "v3.26";
}

/**
 * v3.8.9 knows only first-found, interface=, can-reach= and skip-interface=
 * (node pkg/startup/startup.go autoDetectCIDR); on any other method it exits.
 */
export function autodetectionProblems(v: V, method: string | undefined): string[] {
    if (!method || v.major !== 3 || v.minor > 8) return [];
    if (/^(first-found|interface=|can-reach=|skip-interface=)/.test(method)) return [];
    return [
        `flannel-to-calico:network.ipAutodetectionMethod is "${method}", which Calico v3.${v.minor} does not know ` +
            "(calico-node would exit at start): use first-found, interface=, can-reach= or skip-interface=",
    ];
}

export interface NetworkChoice {
    readonly value: string;
    readonly why: string;
}

/** The IP autodetection calico-node will use, and why. */
export function ipAutodetectionChoice(n: Pick<NetworkSettings, "ipAutodetectionMethod">, v: V): NetworkChoice {
    if (n.ipAutodetectionMethod)
        return {
            value: n.ipAutodetectionMethod,
            why: "network.ipAutodetectionMethod; preflight fails on a node where it would not pick the interface flanneld used",
        };
    return {
        value: "first-found",
        why:
            `network.ipAutodetectionMethod is unset: Calico's default, the highest-numbered interface with a global IPv4 address ` +
            `outside its ${before326(v) ? "v3.8 (unanchored)" : "v3.26+"} exclusions; preflight fails on a node where that is ` +
            "not the interface flanneld used",
    };
}

/** The pod MTU calico-config's veth_mtu gives (after the program's patches), and why. */
export function mtuChoice(
    n: Pick<NetworkSettings, "mtu" | "mode" | "vxlanTransition">,
    vethMtu: string,
    v: V,
): NetworkChoice {
    const overhead = encapOverhead(n);
    const rule = `preflight checks veth_mtu + ${overhead} (the header this mode adds) against the MTU of the interface flanneld used`;
    if (vethMtu === "0")
        return {
            value: "auto",
            why:
                "veth_mtu 0 (network.mtu unset): Felix takes the smallest MTU of the host interfaces and subtracts the " +
                "enabled encapsulation's header (IPIP 20, VXLAN 50), writing /var/lib/calico/mtu for the CNI plugin",
        };
    const from =
        n.mtu !== undefined ? "network.mtu" : `the v3.${v.minor} manifest's default veth_mtu (network.mtu unset)`;
    return {
        value: vethMtu,
        why: `${from}; the pods, tunl0 and vxlan.calico all get ${vethMtu} (FELIX_IPINIPMTU and FELIX_VXLANMTU from veth_mtu); ${rule}`,
    };
}
