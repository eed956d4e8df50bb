/**
 * docker0's network after the migration: the `bip` the docker step writes to
 * daemon.json. Pure functions.
 *
 * Flannel gave docker0 an address in the pod range (--bip from
 * /run/flannel/docker); left there, it overlaps Calico's pool. Docker's own
 * default, 172.17.0.1/16, lies inside a 172.16.0.0/12 pod range, so the
 * network is chosen from docker's default address pools in docker's order
 * (libnetwork ipamutils: 172.17.0.0/16 ... 172.31.0.0/16 as /16s, then
 * 192.168.0.0/16 as /20s): the first that overlaps no pod, service or node
 * range. `cluster.dockerBridgeCidr` overrides the choice.
 */
import { Cidr, cidrsOverlap, formatIPv4, parseCidr } from "./net";

const cidr = (text: string): Cidr => {
    const p = parseCidr(text);
    if (!p.ok) throw new Error(`bad built-in CIDR ${text}: ${p.why}`);
    return p.cidr;
};

/** docker's default address pools, in the order docker takes them. */
export const DOCKER_BRIDGE_CANDIDATES: readonly Cidr[] = [
    ...Array.from({ length: 15 }, (_, i) => cidr(`172.${17 + i}.0.0/16`)),
    ...Array.from({ length: 16 }, (_, i) => cidr(`192.168.${i * 16}.0/20`)),
];

/** The first candidate that overlaps none of `avoid`; undefined when every one does. */
export function chooseDockerBridge(avoid: readonly Cidr[]): Cidr | undefined {
    return DOCKER_BRIDGE_CANDIDATES.find((c) => !avoid.some((a) => cidrsOverlap(c, a)));
}

/** docker's bip for a network: its first address with the prefix (172.17.0.0/16 -> 172.17.0.1/16). */
export function bipOf(c: Cidr): string {
    return `${formatIPv4(c.base + 1)}/${c.prefix}`;
}

/** The widest prefix a bridge may have: a /30 holds the gateway and one container. */
export const DOCKER_BRIDGE_MAX_PREFIX = 30;
