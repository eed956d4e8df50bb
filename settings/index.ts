/**
 * Stack config -> one typed, validated Settings object.
 *
 * `loadSettings` is pure: it takes the raw config of one stack (from the
 * Pulumi runtime in index.ts, or from a Pulumi.<stack>.yaml in the offline
 * plan) and returns the settings or every problem at once. It reads the
 * sections in the order they depend on each other; each section's file says
 * what its keys mean. No message prints a secret.
 */
import { readCalico } from "./calico";
import { readCluster } from "./cluster";
import { readNetwork } from "./network";
import { nodeSubnets, readNodes } from "./nodes";
import { allDefined, Reader } from "./reader";
import { readRollout } from "./rollout";
import { readSsh } from "./ssh";
import { readTypha } from "./typha";
import { readVerify } from "./verify";
import { LoadContext, LoadResult, RawConfig, Settings } from "./types";

export * from "./types";

/** Thrown by `requireSettings`: every problem, one per line. */
export class SettingsError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`the stack config has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "SettingsError";
    }
}

/** The settings, or a SettingsError with every problem (those found reading the config source first). */
export function requireSettings(raw: RawConfig, ctx: LoadContext, sourceProblems: readonly string[] = []): Settings {
    const r = loadSettings(raw, ctx);
    const problems = [...sourceProblems, ...(r.ok ? [] : r.problems)];
    if (!r.ok || problems.length) throw new SettingsError(problems);
    return r.settings;
}

export function loadSettings(raw: RawConfig, ctx: LoadContext): LoadResult {
    const r = new Reader();
    const cluster = readCluster(r, raw.cluster);
    const network = readNetwork(r, raw.network, { podCidr: cluster.podCidr });
    const ssh = readSsh(r, raw.ssh, { dryRun: ctx.dryRun });
    const nodes = readNodes(r, raw.nodes, {
        ssh,
        podCidr: cluster.podCidr,
        serviceCidr: cluster.serviceCidr,
        dockerBridge: cluster.dockerBridge,
    });
    const calico = readCalico(r, raw.calico, { kubernetesVersion: cluster.kubernetesVersion });
    const typha = readTypha(r, raw.typha, { nodes: nodes.length, production: cluster.production });
    const rollout = readRollout(r, raw.rollout, { nodes });
    const verify = readVerify(r, raw.verify, { natOutgoing: network.natOutgoing });

    // Warnings that need several sections.
    if (network.bgp?.nodeToNodeMesh && typha.nodeCount > 100) {
        r.warn(
            `the BGP node-to-node mesh is on with ${typha.nodeCount} nodes: a full mesh above 100 nodes costs n² sessions; ` +
                "use route reflectors (network.bgp.nodeToNodeMesh: false with peers)",
        );
    }
    const subnets =
        network.mode === "bgp" && nodes.length > 1 ? nodeSubnets(nodes, cluster.nodeCidrs) : new Set<string>();
    if (subnets.size > 1) {
        const shown = `${[...subnets].slice(0, 4).join(", ")}${subnets.size > 4 ? ", ..." : ""}${cluster.nodeCidrs.length ? "" : ", judged by /24"}`;
        r.warn(
            `network.mode is bgp but the node addresses are in ${subnets.size} different subnets (${shown}): ` +
                "pure BGP needs routers that carry pod routes between subnets; crossSubnet encapsulates only across subnets",
        );
    }
    const kv = cluster.kubernetesVersion;
    if (kv && kv.major === 1 && kv.minor >= 24) {
        // Not a problem: preparation configures cri-dockerd instead of kubelet. Said here so the plan shows it.
        r.warn(
            `Kubernetes ${kv.text} has no dockershim and no kubelet --network-plugin flag: the kubelet step leaves ` +
                "kubelet's flags alone and sets cri-dockerd's --network-plugin=cni where cri-dockerd runs",
        );
    }

    const complete = allDefined({ cluster: cluster.settings, calico });
    if (r.problems.length > 0 || !complete) return { ok: false, problems: r.problems, warnings: r.warnings };
    return {
        ok: true,
        settings: {
            stack: ctx.stack,
            cluster: complete.cluster,
            network,
            ssh,
            nodes,
            calico: complete.calico,
            typha,
            rollout,
            verify,
            warnings: r.warnings,
        },
    };
}
