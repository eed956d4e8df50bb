/** The `cluster` section: which cluster, its Kubernetes version, its address ranges and how to reach its API. */
import { Secret } from "./secret";
import { Cidr, cidrsOverlap, parseCidr } from "./net";
import { chooseDockerBridge, DOCKER_BRIDGE_MAX_PREFIX } from "./dockerBridge";
import { parseVersion, Version } from "../calico/versions";
import { key, Raw, Reader } from "./reader";
import { ClusterSettings, Kubeconfig } from "./types";

/** What later sections check against, known even when the section as a whole has problems. */
export interface ClusterFacts {
    readonly kubernetesVersion?: Version;
    readonly podCidr?: Cidr;
    readonly serviceCidr?: Cidr;
    readonly nodeCidrs: readonly Cidr[];
    /** docker0's network after the migration (nodes check their addresses against it). */
    readonly dockerBridge?: Cidr;
    readonly production: boolean;
    /** The whole section, when it has no problems. */
    readonly settings?: ClusterSettings;
}

const KEYS = [
    "name",
    "kubernetesVersion",
    "podCidr",
    "serviceCidr",
    "nodeCidrs",
    "dockerBridgeCidr",
    "kubeconfig",
    "context",
    "id",
    "production",
];

/** A cluster identity: printable, no spaces (kubeconfig context names and EKS ARNs pass). */
const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,252}$/;

/**
 * cluster.id, defaulting to cluster.context (never cluster.name: renaming must change nothing).
 * It becomes the Kubernetes provider's clusterIdentifier: while it stays the same, pulumi-kubernetes
 * (provider.go DiffConfig, since v4.16.0) never replaces the provider, whatever the kubeconfig says;
 * a different value replaces it and everything it manages.
 */
function readId(r: Reader, v: unknown, context?: string): { id?: string; idFrom: "cluster.id" | "cluster.context" } {
    const id = r.string("cluster.id", v);
    if (id === undefined) return { ...(context ? { id: context } : {}), idFrom: "cluster.context" };
    if (!CLUSTER_ID.test(id)) {
        r.problem(
            "cluster.id",
            id,
            "expected a stable name for this cluster: letters, digits and . _ : / @ + = -, no spaces, at most 253 " +
                "characters (it is the provider's clusterIdentifier; changing it later replaces every Calico object)",
        );
        return { idFrom: "cluster.id" };
    }
    return { id, idFrom: "cluster.id" };
}

function readCidr(r: Reader, path: string, v: unknown, fix: string): Cidr | undefined {
    if (v === undefined) {
        r.problem(path, v, `it is required: ${fix}`);
        return undefined;
    }
    const p = parseCidr(v);
    if (!p.ok) {
        r.problem(path, v, `${p.why} (${fix})`);
        return undefined;
    }
    return p.cidr;
}

function readNodeCidrs(r: Reader, v: unknown, podCidr?: Cidr, serviceCidr?: Cidr): Cidr[] {
    const out: Cidr[] = [];
    if (v === undefined) return out;
    if (!Array.isArray(v)) {
        r.problem("cluster.nodeCidrs", v, "expected a list of networks like [172.27.137.0/24]");
        return out;
    }
    v.forEach((x, i) => {
        const c = readCidr(r, `cluster.nodeCidrs[${i}]`, x, "a network the nodes' addresses are in");
        if (c) out.push(c);
    });
    for (const [i, n] of out.entries()) {
        for (const [what, other] of [
            ["cluster.podCidr", podCidr],
            ["cluster.serviceCidr", serviceCidr],
        ] as const) {
            if (other && cidrsOverlap(n, other)) {
                r.problem(
                    `cluster.nodeCidrs[${i}]`,
                    n.text,
                    `it overlaps ${key(what)} ${other.text}; node addresses must not be in the pod or service range`,
                );
            }
        }
    }
    return out;
}

/**
 * cluster.dockerBridgeCidr, or the first of docker's default pools outside the
 * pod, service and node ranges (dockerBridge.ts): docker0 must leave the pod range.
 */
function readDockerBridge(r: Reader, v: unknown, avoid: readonly [string, Cidr | undefined][]): Cidr | undefined {
    const ranges = avoid.filter((a): a is [string, Cidr] => a[1] !== undefined);
    if (v === undefined) {
        const chosen = chooseDockerBridge(ranges.map((a) => a[1]));
        if (!chosen)
            r.problem(
                "cluster.dockerBridgeCidr",
                v,
                `every one of docker's default pools (172.17.0.0/16 ... 192.168.240.0/20) overlaps ${ranges.map((a) => key(a[0])).join(", ")}: ` +
                    "set it to a free network for docker0, such as 10.199.0.0/24",
            );
        return chosen;
    }
    const c = readCidr(r, "cluster.dockerBridgeCidr", v, "docker0's network, such as 172.17.0.0/16");
    if (!c) return undefined;
    if (c.prefix > DOCKER_BRIDGE_MAX_PREFIX) {
        r.problem("cluster.dockerBridgeCidr", c.text, `docker0 needs at least a /${DOCKER_BRIDGE_MAX_PREFIX}`);
    }
    for (const [what, other] of ranges) {
        if (cidrsOverlap(c, other))
            r.problem(
                "cluster.dockerBridgeCidr",
                c.text,
                `it overlaps ${key(what)} ${other.text}; docker0 must lie outside the pod, service and node ranges`,
            );
    }
    return c;
}

function looksLikePath(v: string): boolean {
    return !v.includes("\n") && /^(~|\.{0,2}\/)/.test(v.trim());
}

/** A kubeconfig given inline rather than as a path. */
export function looksLikeKubeconfigContent(v: string): boolean {
    return v.includes("\n") || /^\s*(apiVersion|kind|clusters|current-context)\s*:/.test(v) || v.trim().startsWith("{");
}

function readKubeconfig(r: Reader, v: unknown): Kubeconfig {
    if (Secret.is(v)) {
        // A secret kubeconfig is content unless it is plainly a path (an encrypted
        // value the offline plan cannot read counts as content).
        const text = v.reveal();
        return looksLikePath(text) ? { kind: "path", path: text } : { kind: "content", content: v };
    }
    const text = v === undefined ? undefined : r.string("cluster.kubeconfig", v);
    if (text !== undefined && looksLikeKubeconfigContent(text)) {
        r.secret("cluster.kubeconfig", text, "a kubeconfig's content (credentials)");
    } else if (text !== undefined) {
        return { kind: "path", path: text };
    }
    return { kind: "path", path: "~/.kube/config" };
}

export function readCluster(r: Reader, raw: unknown): ClusterFacts {
    const c: Raw = r.section("cluster", raw, KEYS, true);
    const name = r.string("cluster.name", c.name, { required: true });
    const kubernetesVersion = typeof c.kubernetesVersion === "string" ? parseVersion(c.kubernetesVersion) : undefined;
    if (typeof c.kubernetesVersion === "number") {
        // YAML reads 1.20 as the number 1.2: the version the user meant is lost, so never guess it.
        r.problem(
            "cluster.kubernetesVersion",
            c.kubernetesVersion,
            `YAML read this version as a number (1.20 becomes 1.2); quote it: kubernetesVersion: "1.20.15"`,
        );
    } else if (!kubernetesVersion) {
        r.problem(
            "cluster.kubernetesVersion",
            c.kubernetesVersion,
            `expected a Kubernetes version like "1.14.2" (quote it in YAML)`,
        );
    }
    const podCidr = readCidr(
        r,
        "cluster.podCidr",
        c.podCidr,
        "the cluster's pod network, the tutorial's CLUSTER_CIDR such as 172.30.0.0/16",
    );
    const serviceCidr = readCidr(
        r,
        "cluster.serviceCidr",
        c.serviceCidr,
        "kube-apiserver's --service-cluster-ip-range such as 10.254.0.0/16",
    );
    if (podCidr && serviceCidr && cidrsOverlap(podCidr, serviceCidr)) {
        r.problem(
            "cluster.serviceCidr",
            serviceCidr.text,
            `it overlaps cluster.podCidr ${podCidr.text}; pods and services need separate ranges: ` +
                "check both against kube-apiserver and kube-controller-manager flags",
        );
    }
    const nodeCidrs = readNodeCidrs(r, c.nodeCidrs, podCidr, serviceCidr);
    const dockerBridge = readDockerBridge(r, c.dockerBridgeCidr, [
        ["cluster.podCidr", podCidr],
        ["cluster.serviceCidr", serviceCidr],
        ...nodeCidrs.map((n, i): [string, Cidr] => [`cluster.nodeCidrs[${i}]`, n]),
    ]);
    const kubeconfig = readKubeconfig(r, c.kubeconfig);
    const context = r.string("cluster.context", c.context);
    if (!context) {
        r.problem(
            "cluster.context",
            c.context,
            "it is required: name the kubeconfig context of this cluster, so the stack never acts on " +
                "whichever context is current (kubectl config get-contexts)",
        );
    }
    const { id, idFrom } = readId(r, c.id, context);
    const production = r.bool("cluster.production", c.production, false);
    const settings =
        name !== undefined && kubernetesVersion && podCidr && serviceCidr && dockerBridge && context && id
            ? {
                  name,
                  kubernetesVersion,
                  podCidr,
                  serviceCidr,
                  nodeCidrs,
                  dockerBridge,
                  kubeconfig,
                  context,
                  id,
                  idFrom,
                  production,
              }
            : undefined;
    return {
        kubernetesVersion,
        podCidr,
        serviceCidr,
        nodeCidrs,
        ...(dockerBridge ? { dockerBridge } : {}),
        production,
        ...(settings ? { settings } : {}),
    };
}
