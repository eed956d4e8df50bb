/** summary.md of the offline plan: what the stack will do, in words. Pure. */
import { Settings } from "../settings/types";
import { StackOutputs } from "../program";

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
    lines.push(`| Calico | ${s.calico.versionText}, manifest sha256 \`${o.calicoManifestSha256}\` |`);
    lines.push(`| Typha | ${s.typha.enabled ? `${s.typha.replicas} replica(s)` : "off"}: ${s.typha.reason} |`);
    lines.push(`| Nodes | ${s.nodes.length} in ${waves.length} wave(s) of up to ${s.rollout.waveSize} |`);
    lines.push(
        `| Planned | ${c.kubernetesObjects} Kubernetes object(s), ${c.nodeScripts} node command(s), ` +
            `${c.scriptFiles} distinct script(s) in scripts/ |`,
    );
    lines.push("");
    lines.push("## Outage window", "");
    lines.push(
        "This is a maintenance-window migration. Pod networking is down from the first node's cutover (its",
        "Flannel removal and kubelet restart) until calico-node is Ready on every node: pods on migrated nodes",
        "lose cross-node traffic, and new pods get no network until Calico's CNI is installed. Node images are",
        "pulled in the preflight step, before any cutover, so the window does not wait on image pulls.",
        `With ${waves.length} wave(s) run one after another, plan for the cutover of every wave plus calico-node's`,
        "rollout across the cluster. Run `pulumi up` inside an announced window.",
        "",
    );
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
