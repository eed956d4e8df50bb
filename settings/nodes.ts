/** The `nodes` section: every node of the cluster, its SSH address and pinned host key. */
import { addressProblem, Cidr, cidrContains, parseIPv4, subnetOf, formatIPv4 } from "./net";
import { key, Reader } from "./reader";
import { HOST_KEY } from "./ssh";
import { NodeSettings, SshSettings } from "./types";

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const EXAMPLE = `- { name: k8s01, address: 172.27.137.240, hostKey: "ssh-ed25519 AAAA..." }`;

interface NodeDeps {
    readonly ssh: SshSettings;
    readonly podCidr?: Cidr;
    readonly serviceCidr?: Cidr;
    readonly dockerBridge?: Cidr;
}

/** Positions of names and addresses already seen, to report duplicates. */
interface Seen {
    readonly names: Map<string, number>;
    readonly addresses: Map<string, number>;
}

function checkName(r: Reader, path: string, name: string | undefined, i: number, seen: Seen): void {
    if (name === undefined) return;
    if (!NODE_NAME.test(name)) {
        r.problem(
            `${path}.name`,
            name,
            "expected the node's Kubernetes name: lower-case letters, digits, '-' and '.' (kubectl get nodes)",
        );
    } else if (seen.names.has(name)) {
        r.problem(
            `${path}.name`,
            name,
            `nodes[${seen.names.get(name)}] has the same name; each node must be listed once`,
        );
    } else {
        seen.names.set(name, i);
    }
}

function checkAddress(
    r: Reader,
    path: string,
    address: string,
    port: number,
    i: number,
    seen: Seen,
    deps: NodeDeps,
): void {
    const problem = addressProblem(address);
    if (problem) r.problem(`${path}.address`, address, problem);
    const id = `${address.toLowerCase()}:${port}`;
    if (seen.addresses.has(id)) {
        r.problem(
            `${path}.address`,
            address,
            `nodes[${seen.addresses.get(id)}] has the same address${port !== 22 ? ` and port ${port}` : ""}; each node must be listed once`,
        );
    } else {
        seen.addresses.set(id, i);
    }
    const ip = parseIPv4(address);
    if (ip === undefined) return;
    for (const [what, range, word] of [
        ["cluster.podCidr", deps.podCidr, "the pod range"],
        ["cluster.serviceCidr", deps.serviceCidr, "the service range"],
        // Chosen when unset: listing the node networks in cluster.nodeCidrs makes the choice avoid them.
        ["cluster.dockerBridgeCidr", deps.dockerBridge, "docker0's network (set it, or list cluster.nodeCidrs)"],
    ] as const) {
        if (range && cidrContains(range, ip)) {
            r.problem(
                `${path}.address`,
                address,
                `it is inside ${what} ${range.text}; node addresses and ${word} must not overlap`,
            );
        }
    }
}

function readNode(r: Reader, i: number, v: unknown, seen: Seen, deps: NodeDeps): NodeSettings | undefined {
    const path = `nodes[${i}]`;
    const o = r.object(path, v, true);
    if (!o) return undefined;
    r.unknownKeys(path, o, ["name", "address", "hostKey", "port", "user"]);
    const name = r.string(`${path}.name`, o.name, { required: true });
    checkName(r, path, name, i, seen);
    const address = r.string(`${path}.address`, o.address, { required: true });
    const port = r.intOr(`${path}.port`, o.port, deps.ssh.port, { min: 1, max: 65535 });
    if (address !== undefined) checkAddress(r, path, address, port, i, seen, deps);
    const user = r.stringOr(`${path}.user`, o.user, deps.ssh.user);
    const hostKey = r.string(`${path}.hostKey`, o.hostKey);
    if (hostKey !== undefined && !HOST_KEY.test(hostKey)) {
        r.problem(
            `${path}.hostKey`,
            hostKey,
            `expected a public host key line such as "ssh-ed25519 AAAA..." (ssh-keyscan -t ed25519 ${address ?? "NODE"})`,
        );
    }
    if (hostKey === undefined && !deps.ssh.insecureIgnoreHostKeys) {
        r.problem(
            `${path}.hostKey`,
            undefined,
            `pin ${name ?? "the node"}'s SSH host key ("ssh-ed25519 AAAA...", from ssh-keyscan on a trusted network or the node's ` +
                "/etc/ssh/ssh_host_ed25519_key.pub), or set ssh.insecureIgnoreHostKeys: true to accept any key",
        );
    }
    if (name === undefined || address === undefined) return undefined;
    return { name, address, port, user, ...(hostKey ? { hostKey } : {}), index: i };
}

export function readNodes(r: Reader, raw: unknown, deps: NodeDeps): NodeSettings[] {
    const nodes: NodeSettings[] = [];
    if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
        r.problem("nodes", raw, `list every node of the cluster: ${EXAMPLE}`);
    } else if (!Array.isArray(raw)) {
        r.problem("nodes", raw, "expected a list of { name, address, hostKey, port?, user? }");
    } else {
        const seen: Seen = { names: new Map(), addresses: new Map() };
        raw.forEach((v, i) => {
            const node = readNode(r, i, v, seen, deps);
            if (node) nodes.push(node);
        });
    }
    if (deps.ssh.insecureIgnoreHostKeys) {
        r.warn(
            `${key("ssh.insecureIgnoreHostKeys")} is true: node host keys are not checked, ` +
                "so a host that answers in a node's place gets the node scripts and the SSH session",
        );
    }
    return nodes;
}

/** The subnets the nodes' IPv4 addresses are in: a listed cluster.nodeCidrs entry, or the address's /24. */
export function nodeSubnets(nodes: readonly NodeSettings[], nodeCidrs: readonly Cidr[]): Set<string> {
    const out = new Set<string>();
    for (const n of nodes) {
        const ip = parseIPv4(n.address);
        if (ip === undefined) continue;
        const inCidr = nodeCidrs.find((c) => cidrContains(c, ip));
        out.add(inCidr ? inCidr.text : `${formatIPv4(subnetOf(ip, 24))}/24`);
    }
    return out;
}
