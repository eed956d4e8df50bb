/** The `network` section: Calico's mode, MTU, IP autodetection, the pool's shape and BGP. */
import { Cidr, isIPv6, parseIPv4 } from "./net";
import { Raw, Reader } from "./reader";
import { selectorProblem } from "./selector";
import { BgpPeer, BgpSettings, NETWORK_MODES, NetworkMode, NetworkSettings } from "./types";

const KEYS = [
    "mode",
    "mtu",
    "ipAutodetectionMethod",
    "blockSize",
    "natOutgoing",
    "poolNodeSelector",
    "bgp",
    "vxlanTransition",
];
const AUTODETECT = /^(first-found|kubernetes-internal-ip|can-reach=.+|interface=.+|skip-interface=.+|cidr=.+)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const AS_RANGE = { min: 1, max: 4294967295 };

function readMode(r: Reader, v: unknown): NetworkMode {
    if (v === undefined) return "ipip";
    if (typeof v === "string" && (NETWORK_MODES as readonly string[]).includes(v)) return v as NetworkMode;
    r.problem(
        "network.mode",
        v,
        `expected one of ${NETWORK_MODES.join(", ")} (crossSubnet: IPIP only between subnets)`,
    );
    return "ipip";
}

/** A Calico selector, checked with Calico's grammar (settings/selector.ts). */
function readSelector(r: Reader, path: string, v: unknown): string | undefined {
    const s = r.string(path, v);
    const why = s === undefined ? undefined : selectorProblem(s);
    if (s === undefined || !why) return s;
    r.problem(
        path,
        s,
        `not a Calico selector (${why}); for example all(), has(zone) or zone == "a" && rack in {"r1", "r2"}`,
    );
    return undefined;
}

function readPeer(r: Reader, path: string, v: unknown, names: Set<string>): BgpPeer | undefined {
    const po = r.object(path, v, true);
    if (!po) return undefined;
    r.unknownKeys(path, po, ["name", "peerIP", "asNumber", "nodeSelector"]);
    const name = r.string(`${path}.name`, po.name, { required: true });
    if (name !== undefined && !DNS_LABEL.test(name)) {
        r.problem(`${path}.name`, name, "expected a lower-case DNS label such as tor-a (it names the BGPPeer object)");
    } else if (name !== undefined && names.has(name)) {
        r.problem(`${path}.name`, name, "another peer has this name; peer names must be unique");
    }
    if (name) names.add(name);
    const peerIP = r.string(`${path}.peerIP`, po.peerIP, { required: true });
    if (peerIP !== undefined && parseIPv4(peerIP) === undefined && !isIPv6(peerIP)) {
        r.problem(`${path}.peerIP`, peerIP, "expected the peer router's IP address");
    }
    const asNumber = r.int(`${path}.asNumber`, po.asNumber, {
        required: true,
        ...AS_RANGE,
        fix: "expected the peer's AS number, 1 to 4294967295",
    });
    const nodeSelector = readSelector(r, `${path}.nodeSelector`, po.nodeSelector);
    if (!name || !peerIP || asNumber === undefined) return undefined;
    return { name, peerIP, asNumber, ...(nodeSelector ? { nodeSelector } : {}) };
}

/** BGP settings whenever BIRD runs (defaults filled in); undefined for plain vxlan. */
function readBgp(r: Reader, v: unknown, mode: NetworkMode, vxlanTransition: boolean): BgpSettings | undefined {
    const b = r.object("network.bgp", v, false);
    if (mode === "vxlan" && !vxlanTransition) {
        if (b) {
            r.problem(
                "network.bgp",
                b,
                "network.mode vxlan does not run BGP (calico_backend vxlan); remove network.bgp or choose ipip, bgp or crossSubnet",
            );
        }
        return undefined;
    }
    const bb = b ?? {};
    r.unknownKeys("network.bgp", b, ["asNumber", "nodeToNodeMesh", "peers"]);
    const asNumber = r.intOr("network.bgp.asNumber", bb.asNumber, 64512, {
        ...AS_RANGE,
        fix: "expected an AS number from 1 to 4294967295 (64512 is Calico's default private AS)",
    });
    const nodeToNodeMesh = r.bool("network.bgp.nodeToNodeMesh", bb.nodeToNodeMesh, true);
    const peers: BgpPeer[] = [];
    if (bb.peers !== undefined && !Array.isArray(bb.peers)) {
        r.problem("network.bgp.peers", bb.peers, "expected a list of { name, peerIP, asNumber, nodeSelector }");
    }
    const names = new Set<string>();
    if (Array.isArray(bb.peers)) {
        bb.peers.forEach((p, i) => {
            const peer = readPeer(r, `network.bgp.peers[${i}]`, p, names);
            if (peer) peers.push(peer);
        });
    }
    if (!nodeToNodeMesh && peers.length === 0) {
        r.problem(
            "network.bgp.nodeToNodeMesh",
            false,
            "with the node-to-node mesh off and no network.bgp.peers, no node learns any pod route; add peers or turn the mesh on",
        );
    }
    return { asNumber, nodeToNodeMesh, peers };
}

export function readNetwork(r: Reader, raw: unknown, deps: { podCidr?: Cidr }): NetworkSettings {
    const n: Raw = r.section("network", raw, KEYS);
    const mode = readMode(r, n.mode);
    const mtu = r.int("network.mtu", n.mtu, {
        min: 576,
        max: 9000,
        fix: "expected the pod interface MTU, a whole number from 576 to 9000 (remove it to keep the manifest's default)",
    });
    let ipAutodetectionMethod = r.string("network.ipAutodetectionMethod", n.ipAutodetectionMethod);
    if (ipAutodetectionMethod !== undefined && !AUTODETECT.test(ipAutodetectionMethod)) {
        r.problem(
            "network.ipAutodetectionMethod",
            ipAutodetectionMethod,
            "expected a Calico IP_AUTODETECTION_METHOD: first-found, kubernetes-internal-ip, can-reach=IP, " +
                "interface=REGEX, skip-interface=REGEX or cidr=CIDR[,CIDR]",
        );
        ipAutodetectionMethod = undefined;
    }
    const blockSize = r.intOr("network.blockSize", n.blockSize, 26, {
        min: 20,
        max: 32,
        fix: "expected the IPv4 block size per node, 20 to 32 (Calico's default is 26)",
    });
    const podCidr = deps.podCidr;
    if (podCidr && blockSize < podCidr.prefix) {
        r.problem(
            "network.blockSize",
            blockSize,
            `a /${blockSize} block does not fit in cluster.podCidr ${podCidr.text}; use a block size of at least ${podCidr.prefix}`,
        );
    }
    const natOutgoing = r.bool("network.natOutgoing", n.natOutgoing, true);
    const poolNodeSelector = readSelector(r, "network.poolNodeSelector", n.poolNodeSelector) ?? "all()";
    // Calico's documented live switch is the pool's encapsulation with BIRD kept running; turning BIRD off
    // (calico_backend vxlan) is an install-time choice. See calico/modeSwitch.ts for the stages.
    const vxlanTransition = r.bool("network.vxlanTransition", n.vxlanTransition, false);
    const bgp = readBgp(r, n.bgp, mode, vxlanTransition);
    return {
        mode,
        ...(mtu !== undefined ? { mtu } : {}),
        ...(ipAutodetectionMethod ? { ipAutodetectionMethod } : {}),
        blockSize,
        natOutgoing,
        poolNodeSelector,
        vxlanTransition,
        ...(bgp ? { bgp } : {}),
    };
}
