/**
 * The plan summary's section on the network check: what `pulumi up` will check at this stack's
 * size, when, and what calico-node's own readiness already proves. Pure.
 */
import { backendFor } from "../calico/modeSwitch";
import { Settings } from "../settings/types";
import { JOB_NAMES } from "./objects";
import { CheckPlan, PROBE_WAIT_SECONDS, VERIFY_NAMESPACE } from "./plan";
import { coverage, logsCommand } from "./result";

/**
 * What calico-node's readiness probe checks (node pkg/health, the same logic in v3.8.9, v3.26.5 and
 * v3.32.1; calico-facts §3), for this stack's mode. This program drops -bird-ready in vxlan mode.
 */
export function calicoReadiness(s: Settings): string[] {
    const bird = backendFor(s.network.mode, s.network.vxlanTransition) === "bird";
    const lines = [
        "`-felix-ready`: Felix is in sync with the datastore and has programmed the dataplane (iptables, routes, ipsets) " +
            `once${s.calico.version.minor >= 26 ? " and its interface monitor is in sync" : ""}; it says nothing about remote pods`,
    ];
    if (bird) {
        lines.push(
            "`-bird-ready`: no BGP peers counts as ready; in the first 30 s after calico-node starts every peer " +
                "must be Established, after that one Established peer is enough, so a node can be Ready with most sessions down",
        );
    } else lines.push("no `-bird-ready` in vxlan mode (there is no BIRD): readiness is Felix's alone");
    if (s.calico.version.minor >= 32) {
        lines.push("from v3.32 calico-node sets the node's NetworkUnavailable=false only after both checks pass");
    }
    lines.push(
        "neither proves tunnels (tunl0 / vxlan.calico), routes to other nodes' blocks, the MTU, or any pod-to-pod " +
            "traffic; a BGP session can be Established while IP-in-IP (protocol 4) or VXLAN (UDP 4789) is filtered: " +
            "only the network check proves those",
    );
    return lines;
}

export function networkCheckSection(s: Settings, plan: CheckPlan | undefined): string[] {
    const lines = ["## Network check at pulumi up", ""];
    if (!plan) {
        lines.push(
            "Off (`verify.enabled: false`): pulumi up proves no pod traffic; calico-node Ready is all it waits for.",
        );
        return [...lines, ""];
    }
    const workloads = s.typha.enabled
        ? "calico-node, calico-kube-controllers and Typha"
        : "calico-node and calico-kube-controllers";
    lines.push(
        `In namespace \`${VERIFY_NAMESPACE}\`: DaemonSet \`f2c-probe\` (a pod-network pod on every node, every taint ` +
            "tolerated, serving its node name and 64 KiB over TCP, answering ICMP) and its ClusterIP Service; image " +
            `\`${plan.image}\`.`,
        "",
        `1. Before the first cutover, Job \`${JOB_NAMES.baseline}\` runs the checks below under Flannel and records ` +
            "each checker node's failures (ConfigMaps `f2c-baseline-…`); it lists every NetworkPolicy and fails, " +
            "stopping pulumi up before any node changes, unless `verify.acknowledgeNetworkPolicies` covers it " +
            "(Flannel never enforced them; Calico enforces all of them from the cutover). Acknowledged now: " +
            `${s.verify.acknowledgeNetworkPolicies.length ? s.verify.acknowledgeNetworkPolicies.map((a) => `\`${a}\``).join(", ") : "none"}.`,
        `2. After ${workloads} are ready, Job ` +
            `\`${JOB_NAMES.check}\` waits up to ${PROBE_WAIT_SECONDS} s for a ready probe on every checked node, then checks ` +
            "again and fails on any failure the baseline did not have; the stack outputs wait for it.",
        "",
        `Checked: ${coverage(plan)}.`,
        "",
        `Pulumi waits up to ${plan.timeoutSeconds} s for each Job (deadline ${plan.deadlineSeconds} s). On failure the error ` +
            "shows the first failing pairs (the checker's termination message); all results: " +
            `\`${logsCommand(JOB_NAMES.check)}\`. A Job that did not complete runs again at the next pulumi up; ` +
            "`rollout.recheck`, a node list change or a change to Calico's network settings runs it again too.",
        "",
        "What calico-node's readiness already proves, for this stack:",
        "",
        ...calicoReadiness(s).map((l) => `- ${l}`),
        "",
    );
    return lines;
}
