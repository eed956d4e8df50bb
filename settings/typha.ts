/** The `typha` section and Typha sizing: decided once, here, and handed to both Calico and Typha. */
import { Raw, Reader } from "./reader";
import { CONFIG_NAMESPACE } from "./types";

export type TyphaEnabled = "auto" | boolean;

export interface TyphaInput {
    /** Nodes the Calico deployment serves: the stack's nodes, or typha.nodeCount. */
    readonly nodeCount: number;
    readonly enabled: TyphaEnabled;
    /** typha.replicas: an explicit override. */
    readonly replicas?: number;
    readonly production: boolean;
}

export interface TyphaDecision {
    readonly enabled: boolean;
    /** 0 when Typha is off. */
    readonly replicas: number;
    readonly nodeCount: number;
    /** One sentence for the plan's summary and the stack outputs. */
    readonly reason: string;
}

/** The tutorial's threshold: Typha only pays off above this many nodes. */
export const TYPHA_AUTO_THRESHOLD = 50;
/** One replica per this many nodes. */
export const NODES_PER_TYPHA = 200;
export const TYPHA_MAX_REPLICAS = 20;
/** Calico's advice for production: enough replicas to survive a rolling upgrade. */
export const TYPHA_PRODUCTION_MIN = 3;

/**
 * Sizes Typha. Returns the decision and any problems (which the settings
 * validation reports with the others, before any resource is created).
 */
export function sizeTypha(t: TyphaInput): { decision: TyphaDecision; problems: string[] } {
    const n = t.nodeCount;
    const problems: string[] = [];
    const enabled = t.enabled === "auto" ? n > TYPHA_AUTO_THRESHOLD : t.enabled;
    // Checked whether or not Typha runs: a bad value must not wait, silently, for the day Typha turns on.
    const replicasInRange =
        t.replicas === undefined ||
        (Number.isInteger(t.replicas) && t.replicas >= 1 && t.replicas <= TYPHA_MAX_REPLICAS);
    if (!replicasInRange) {
        problems.push(
            `typha.replicas is ${JSON.stringify(t.replicas)}: it must be a whole number from 1 to ${TYPHA_MAX_REPLICAS}; remove it to size Typha from the node count`,
        );
    }
    if (!enabled) {
        const reason =
            t.enabled === false
                ? `typha.enabled is false: Felix talks to the API server directly on all ${n} nodes`
                : `${n} nodes is ${TYPHA_AUTO_THRESHOLD} or fewer: Typha only pays off above ${TYPHA_AUTO_THRESHOLD} nodes (typha.enabled: auto)`;
        return { decision: { enabled: false, replicas: 0, nodeCount: n, reason }, problems };
    }
    // Typha binds host port 5473: one pod per node, and a rolling update needs a free node.
    const nodeCap = n - 1;
    if (t.replicas !== undefined) {
        if (replicasInRange && t.replicas > nodeCap) {
            problems.push(
                `typha.replicas is ${t.replicas} but the cluster has ${n} node(s): Typha uses host port 5473, so it needs fewer replicas than nodes (at most ${Math.max(nodeCap, 0)}); lower typha.replicas or set typha.nodeCount`,
            );
        }
        const reason = `typha.replicas overrides the sizing rule: ${t.replicas} replica(s) for ${n} nodes`;
        return { decision: { enabled: true, replicas: t.replicas, nodeCount: n, reason }, problems };
    }
    if (nodeCap < 1) {
        problems.push(
            `typha.enabled is true but the cluster has ${n} node(s): Typha uses host port 5473 and needs fewer replicas than nodes, so it needs at least 2 nodes; set typha.enabled to auto or false`,
        );
        return {
            decision: { enabled: true, replicas: 1, nodeCount: n, reason: "Typha cannot run on a single node" },
            problems,
        };
    }
    const byRule = Math.min(TYPHA_MAX_REPLICAS, Math.max(1, Math.ceil(n / NODES_PER_TYPHA)));
    const parts = [`ceil(${n} / ${NODES_PER_TYPHA}) = ${Math.ceil(n / NODES_PER_TYPHA)}`];
    let replicas = byRule;
    if (Math.ceil(n / NODES_PER_TYPHA) > TYPHA_MAX_REPLICAS) parts.push(`capped at ${TYPHA_MAX_REPLICAS}`);
    if (t.production && replicas < TYPHA_PRODUCTION_MIN) {
        replicas = Math.min(TYPHA_PRODUCTION_MIN, nodeCap);
        parts.push(
            `raised to ${replicas} for production (at least ${TYPHA_PRODUCTION_MIN} where the node count allows)`,
        );
    }
    if (replicas > nodeCap) {
        replicas = nodeCap;
        parts.push(`lowered to ${replicas}: fewer replicas than nodes (host port 5473)`);
    }
    const why =
        t.enabled === "auto"
            ? `${n} nodes is above ${TYPHA_AUTO_THRESHOLD} (typha.enabled: auto)`
            : "typha.enabled is true";
    return {
        decision: {
            enabled: true,
            replicas,
            nodeCount: n,
            reason: `${why}; one replica per ${NODES_PER_TYPHA} nodes, at most ${TYPHA_MAX_REPLICAS}: ${parts.join(", ")} -> ${replicas}`,
        },
        problems,
    };
}

/** Reads the `typha` section and sizes Typha for the cluster (problems go to the reader). */
export function readTypha(r: Reader, raw: unknown, deps: { nodes: number; production: boolean }): TyphaDecision {
    const t: Raw = r.section("typha", raw, ["enabled", "nodeCount", "replicas"]);
    let enabled: TyphaEnabled = "auto";
    if (t.enabled === "auto" || typeof t.enabled === "boolean") enabled = t.enabled;
    else if (t.enabled === "true" || t.enabled === "false") enabled = t.enabled === "true";
    else if (t.enabled !== undefined) r.problem("typha.enabled", t.enabled, "expected auto, true or false");
    const nodeCount = r.int("typha.nodeCount", t.nodeCount, {
        min: 1,
        fix: "expected the number of nodes in the whole cluster, a whole number of at least 1",
    });
    if (nodeCount !== undefined && nodeCount < deps.nodes) {
        r.problem(
            "typha.nodeCount",
            nodeCount,
            `the stack lists ${deps.nodes} nodes; typha.nodeCount counts the whole cluster, so it cannot be smaller (remove it to use the node list)`,
        );
    }
    const replicas = typeof t.replicas === "string" && /^\d+$/.test(t.replicas) ? Number(t.replicas) : t.replicas;
    const sized = sizeTypha({
        nodeCount: Math.max(nodeCount ?? 0, deps.nodes),
        enabled,
        ...(replicas !== undefined ? { replicas: replicas as number } : {}),
        production: deps.production,
    });
    if (deps.nodes > 0) for (const p of sized.problems) r.problems.push(`${CONFIG_NAMESPACE}:${p}`);
    return sized.decision;
}
