/** summary.md of the offline plan: what the stack will do, in words. Pure. */
import { Settings } from "../settings/types";
import { StackOutputs } from "../program";
import { SIDE_EFFECTS } from "../calico/sideEffects";
import { defaultParallel, estimateWindow, NODE_SECONDS, recommendedParallel } from "./window";
import { bipOf } from "../settings/dockerBridge";
import { planCheck } from "../verify/plan";
import { networkCheckSection } from "../verify/summary";

const MODE_TEXT: Record<string, string> = {
    ipip: "ipip: IP-in-IP between all nodes (ipipMode Always, vxlanMode Never)",
    bgp: "bgp: plain routed BGP, no encapsulation (ipipMode Never, vxlanMode Never)",
    crossSubnet: "crossSubnet: IP-in-IP only between subnets, routed within one (ipipMode CrossSubnet)",
    vxlan: "vxlan: VXLAN between all nodes, no BGP (vxlanMode Always, backend vxlan)",
};

export interface SummaryCounts {
    readonly kubernetesObjects: number;
    /** Node commands that carry a script. */
    readonly nodeScripts: number;
    /** Distinct script files (scripts/) they and the other commands use. */
    readonly scriptFiles: number;
    readonly notes: readonly string[];
}

function windowLines(s: Settings): string[] {
    const waves = s.rollout.waves;
    const rows = [defaultParallel(2), recommendedParallel(s.rollout.waveSize)].map((p) => {
        const e = estimateWindow(waves, p);
        return `| ${p} | ${e.preflightMinutes} min | ${e.windowMinutes} min |`;
    });
    return [
        `Expected, with ${waves.length} wave(s) of up to ${s.rollout.waveSize} node(s), ${NODE_SECONDS.cutover} s per node's cutover`,
        `and ${NODE_SECONDS.preflight} s per node's preflight (plan/window.ts):`,
        "",
        "| `pulumi up --parallel` | before the window (preflight) | window (first cutover to calico-node Ready) |",
        "|---:|---:|---:|",
        ...[...new Set(rows)],
        "",
        `\`--parallel\` defaults to 4 × CPUs (8 on a 2-core runner); \`--parallel ${recommendedParallel(s.rollout.waveSize)}\` runs a whole wave at once.`,
    ];
}

export function renderSummary(s: Settings, o: StackOutputs, c: SummaryCounts): string {
    const lines: string[] = [];
    const waves = s.rollout.waves;
    lines.push(`# Plan: cluster ${s.cluster.name} (stack ${s.stack})`, "");
    lines.push("| | |", "|---|---|");
    lines.push(
        `| Cluster | ${s.cluster.name}, Kubernetes ${s.cluster.kubernetesVersion.text}, context \`${s.cluster.context}\` |`,
    );
    lines.push(`| Mode | ${MODE_TEXT[s.network.mode]} |`);
    lines.push(
        `| Pod CIDR | ${s.cluster.podCidr.text} (IPPool default-ipv4-ippool, blocks of /${s.network.blockSize}, natOutgoing ${s.network.natOutgoing}) |`,
    );
    lines.push(`| Service CIDR | ${s.cluster.serviceCidr.text} |`);
    lines.push(
        `| docker0 | ${s.cluster.dockerBridge.text} (bip ${bipOf(s.cluster.dockerBridge)} in daemon.json): outside the pod, service and node ranges |`,
    );
    lines.push(`| Calico | ${s.calico.versionText}, manifest sha256 \`${o.calicoManifestSha256}\` |`);
    lines.push(`| Typha | ${s.typha.enabled ? `${s.typha.replicas} replica(s)` : "off"}: ${s.typha.reason} |`);
    lines.push(`| Nodes | ${s.nodes.length} in ${waves.length} wave(s) of up to ${s.rollout.waveSize} |`);
    lines.push(
        `| Planned | ${c.kubernetesObjects} Kubernetes object(s), ${c.nodeScripts} node command(s), ` +
            `${c.scriptFiles} distinct script(s) in scripts/ |`,
    );
    lines.push(...calicoRows(s, o));
    lines.push("");
    lines.push("## Outage window", "");
    lines.push(
        "This is a maintenance-window migration. Pod networking is down from the first node's cutover (its",
        "Flannel removal and kubelet restart) until calico-node is Ready on every node: pods on migrated nodes",
        "lose cross-node traffic, and new pods get no network until Calico's CNI is installed. Every node's",
        "preflight (read-only checks, image pulls) and Calico's base objects come before the first cutover, so",
        "the window waits on neither. Run `pulumi up` inside an announced window.",
        "",
        ...windowLines(s),
        "",
        "On each node, every pod restarts or is recreated once: with docker's live-restore, docker0 leaves Flannel's",
        "address only when docker restarts with no container running, so the cutover stops every container on the",
        "node (application containers too), removes the pod sandboxes that are not on the host network, restarts",
        "docker, and starts the others again; kubelet recreates the removed pods under CNI. A node whose docker0 is",
        `already on ${bipOf(s.cluster.dockerBridge)} keeps its containers running.`,
        "",
    );
    lines.push("## Order", "");
    lines.push(
        "Every node gets the step library and runs its preflight (gate `preflight-complete`), while the network",
        "check's probes and its baseline Job run under Flannel; then every CRD,",
        "ServiceAccount, RBAC object, calico-config, the IPPool and the BGP objects (after the `calico-network-guard`",
        `check)${s.typha.enabled ? ", and Typha" : ""}; then the cutover, wave by wave (gate \`cutover-start\`, then`,
        "`wave-N-complete`; the first wave also waits for the baseline); then calico-node, awaited; then",
        "calico-kube-controllers, which needs the pod network; then the network check's Job, awaited.",
        ...(s.typha.enabled && s.calico.version.minor < 26
            ? [
                  "v3.8's Typha tolerates only CriticalAddonsOnly upstream: it gets v3.26's NoSchedule/NoExecute tolerations, so it",
                  "schedules on the NotReady nodes of the window and calico-node can wait for it.",
              ]
            : []),
        "",
    );
    lines.push("## What Calico's own tools would have done, done here", "");
    for (const f of SIDE_EFFECTS.filter((x) => (x.versions as readonly string[]).includes(s.calico.versionText)))
        lines.push(`- **${f.id}**: ${f.here}`);
    lines.push("");
    lines.push(...networkCheckSection(s, s.verify.enabled ? planCheck(s) : undefined));
    lines.push("## Nodes by wave", "");
    waves.forEach((w, i) => lines.push(`- wave ${i + 1} (${w.length}): ${w.join(", ")}`));
    lines.push("");
    const warnings = [...s.warnings];
    lines.push("## Warnings", "");
    if (warnings.length === 0) lines.push("None.");
    for (const w of warnings) lines.push(`- ${w}`);
    lines.push("");
    if (c.notes.length) {
        lines.push("## Notes", "");
        for (const n of c.notes) lines.push(`- ${n}`);
        lines.push("");
    }
    return lines.join("\n");
}

/** The rows about the live cluster: identity, MTU, autodetection, network state and how long pulumi up may take. */
function calicoRows(s: Settings, o: StackOutputs): string[] {
    const a = o.calicoNodeAwait;
    return [
        `| Cluster identity | provider clusterIdentifier \`${o.clusterIdentity}\` (from ${s.cluster.idFrom}): another value replaces ` +
            "every Calico object, which the protected ones refuse; the kubeconfig's path, content or server may change |",
        `| MTU | ${o.calicoMtu.value}: ${o.calicoMtu.why} |`,
        `| IP autodetection | ${o.ipAutodetection.value}: ${o.ipAutodetection.why} |`,
        `| Network state | \`${o.networkState}\`${s.network.vxlanTransition ? " (network.vxlanTransition: a switch to or from vxlan is under way)" : ""} |`,
        `| calico-node await | create ${a.createSeconds} s (every node at once); update ${a.updateSeconds} s ` +
            `(${a.updateSteps} step(s) of ${a.maxUnavailable} node(s), rollout.calicoNodeMaxUnavailable, for ${a.nodes} nodes rounded up) |`,
        `| pulumi up bound | ${o.pulumiUpTimeoutMinutes} min: node waves, ${s.typha.enabled ? "Typha, " : ""}calico-node's longer bound, ` +
            "kube-controllers and the network check; the deploy workflow's timeout |",
    ];
}
