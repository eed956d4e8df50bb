/**
 * The ordering rule for the maintenance window, as a pure function over the
 * planned graph (registrations with their dependsOn and inputs):
 *
 * - During the window every node is NotReady (kubelet runs with
 *   --network-plugin=cni and no CNI config yet), so it carries the
 *   node.kubernetes.io/not-ready taints, NoSchedule and NoExecute. They go
 *   when calico-node's install-cni has written the CNI config on every node,
 *   which the DaemonSet's await covers.
 * - A workload the provider awaits must become ready with what comes before
 *   it in the graph: between the first cutover and calico-node it must
 *   tolerate both taints and use the host network (there is no pod network).
 *   A workload the first cutover waits for (gate `cutover-start`) is awaited
 *   before the window, on Ready nodes with Flannel's pod network; it is held
 *   to the same rule only when a workload needs it running through the window
 *   (calico-node needs Typha): NotReady's NoExecute taint evicts what does not
 *   tolerate it (after 300 s, the DefaultTolerationSeconds admission default).
 * - calico-node and kube-controllers depend on every CRD, ServiceAccount,
 *   RBAC object and ConfigMap (kubectl apply's file order), and calico-node on
 *   Typha's objects when Typha runs.
 */
import { CUTOVER_GATE, TYPES } from "../identity";

export interface Taint {
    readonly key: string;
    readonly value?: string;
    readonly effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule";
}

export interface Toleration {
    readonly key?: string;
    readonly operator?: string;
    readonly value?: string;
    readonly effect?: string;
    readonly tolerationSeconds?: number;
}

/** The taints of a NotReady node (kubernetes pkg/controller/nodelifecycle; see SIDE_EFFECTS not-ready-taints). */
export const WINDOW_TAINTS: readonly Taint[] = [
    { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
    { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
];

/**
 * Kubernetes' own rule, k8s.io/api core/v1 toleration.go ToleratesTaint: an
 * empty effect matches every effect, an empty key with Exists every key.
 * A NoExecute toleration with tolerationSeconds only delays eviction: it does not count.
 */
export function tolerates(t: Toleration, taint: Taint): boolean {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    if (taint.effect === "NoExecute" && t.tolerationSeconds !== undefined) return false;
    switch (t.operator ?? "Equal") {
        case "Exists":
            return true;
        case "Equal":
            return (t.value ?? "") === (taint.value ?? "");
        default:
            return false;
    }
}

/** The taints in `taints` that none of `tolerations` tolerates. */
export function untolerated(tolerations: readonly Toleration[], taints: readonly Taint[] = WINDOW_TAINTS): Taint[] {
    return taints.filter((taint) => !tolerations.some((t) => tolerates(t, taint)));
}

/** One registration of the planned graph, as plan/monitor.ts records it. */
export interface GraphNode {
    readonly urn: string;
    readonly dependsOn: readonly string[];
    readonly custom: boolean;
    /** The parent component's URN: prerequisites are Calico's and Typha's own objects. */
    readonly parent?: string;
    readonly inputs: Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> }; spec?: any };

const objOf = (n: GraphNode): Obj => n.inputs as Obj;
const isWorkload = (o: Obj) => o.kind === "DaemonSet" || o.kind === "Deployment";
const label = (o: Obj) => `${o.kind} ${o.metadata?.name}`;
const PREREQUISITE_KINDS = new Set([
    "CustomResourceDefinition",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "IPPool",
    "BGPConfiguration",
    "BGPPeer",
]);

function ancestorsOf(byUrn: Map<string, GraphNode>, urn: string): Set<string> {
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length) {
        for (const d of byUrn.get(stack.pop() as string)?.dependsOn ?? [])
            if (!seen.has(d)) {
                seen.add(d);
                stack.push(d);
            }
    }
    return seen;
}

/** Every way the graph breaks the window rule; empty when it holds. */
export function windowProblems(graph: readonly GraphNode[]): string[] {
    const byUrn = new Map(graph.map((n) => [n.urn, n]));
    const k8s = graph.filter((n) => n.custom && typeof objOf(n).kind === "string");
    const node = k8s.find((n) => objOf(n).kind === "DaemonSet" && objOf(n).metadata?.name === "calico-node");
    if (!node) return ["the plan has no DaemonSet calico-node"];
    const problems: string[] = [];
    const gate = graph.find((n) => n.urn.endsWith(`::${CUTOVER_GATE}`));
    const beforeWindow = gate ? ancestorsOf(byUrn, gate.urn) : new Set<string>();
    const dependents = (urn: string) =>
        k8s.filter((w) => isWorkload(objOf(w)) && ancestorsOf(byUrn, w.urn).has(urn)).map((w) => label(objOf(w)));
    for (const w of k8s.filter((n) => isWorkload(objOf(n)))) {
        const o = objOf(w);
        if (o.metadata?.annotations?.["pulumi.com/skipAwait"] === "true") continue;
        const pod = o.spec?.template?.spec ?? {};
        const afterWindow = w !== node && ancestorsOf(byUrn, w.urn).has(node.urn);
        // Awaited before the window, it is held to the rule only if a workload needs it running through the
        // window (calico-node needs Typha's): then it must survive the taints and the pods' lost network.
        const needed = k8s
            .filter((d) => isWorkload(objOf(d)) && d.dependsOn.includes(w.urn))
            .map((d) => label(objOf(d)));
        if (afterWindow || (beforeWindow.has(w.urn) && !needed.length)) continue;
        const waiting = beforeWindow.has(w.urn) ? needed : dependents(w.urn);
        const who = waiting.length ? `; ${waiting.join(", ")} wait(s) on it` : "";
        const missing = untolerated(pod.tolerations ?? []);
        if (missing.length) {
            problems.push(
                `${label(o)} cannot be scheduled while the nodes are NotReady: it does not tolerate ` +
                    `${missing.map((t) => `${t.key}:${t.effect}`).join(", ")}, and it does not come after calico-node${who}`,
            );
        }
        if (!pod.hostNetwork) {
            problems.push(
                `${label(o)} needs the pod network, which only exists once calico-node runs, and it does not come after calico-node${who}`,
            );
        }
    }
    return problems;
}

/** Calico's own prerequisite objects (registered by the Calico component), not the network check's. */
const isCalicos = (n: GraphNode) =>
    PREREQUISITE_KINDS.has(String(objOf(n).kind)) &&
    (n.parent === undefined || n.parent.includes(`::${TYPES.calico}::`));

/** Prerequisites (CRDs, ServiceAccounts, RBAC, ConfigMaps, the pool, BGP objects) a workload does not wait for. */
export function missingPrerequisites(
    graph: readonly GraphNode[],
    workload: string,
    extra: readonly string[] = [],
): string[] {
    const byUrn = new Map(graph.map((n) => [n.urn, n]));
    const w = graph.find((n) => n.custom && isWorkload(objOf(n)) && objOf(n).metadata?.name === workload);
    if (!w) return [`no workload ${workload} in the plan`];
    const before = ancestorsOf(byUrn, w.urn);
    return graph
        .filter((n) => n.custom && n !== w && (isCalicos(n) || extra.includes(n.urn)))
        .filter((n) => !before.has(n.urn))
        .map((n) => label(objOf(n)));
}
