/**
 * How long `pulumi up` waits, computed from the plan. Pure functions.
 *
 * calico-node's await (pulumi-kubernetes await/daemonset.go, kstatus: every
 * desired pod updated, ready and available; the same logic on create and on
 * update) gets separate bounds through customTimeouts, which the provider
 * prefers over the pulumi.com/timeoutSeconds annotation (metadata
 * TimeoutDuration):
 * - create (the window): the DaemonSet starts calico-node on every node at
 *   once, so one pod's start plus a margin bounds it;
 * - update: the DaemonSet replaces rollout.calicoNodeMaxUnavailable pods at a
 *   time, so ceil(nodes / maxUnavailable) pod starts plus a margin.
 * Node counts are rounded up to buckets so that appending a node rarely
 * changes a bound.
 */

/**
 * One calico-node pod replaced and Ready: termination (grace 0 s), init containers,
 * Felix's first dataplane apply, BIRD's sessions, the 10 s readiness period. An estimate.
 */
export const CALICO_NODE_POD_SECONDS = 120;
/** Slack on every await: API server latency, image already pulled in preflight. */
export const AWAIT_MARGIN_SECONDS = 600;
/** On create, a minute more per this many nodes: the DaemonSet controller and API server start every pod at once. */
export const CREATE_NODES_PER_EXTRA_MINUTE = 1000;
/** One wave of node preparation: six SSH steps a node (dials, preflight image pulls, docker and kubelet restarts). */
export const NODE_WAVE_SECONDS = 900;
/** pulumi-kubernetes' default Deployment await (Typha, kube-controllers): 10 minutes. */
export const DEPLOYMENT_AWAIT_SECONDS = 600;
/** The network check after calico-node (a Job the provider awaits with its 10-minute default). */
export const CHECK_SECONDS = 600;

const BUCKETS = [10, 25, 50, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000, 5000];

/** The node count rounded up to a bucket. */
export function nodeBucket(nodes: number): number {
    return BUCKETS.find((b) => nodes <= b) ?? Math.ceil(nodes / 1000) * 1000;
}

export interface CalicoNodeTimeouts {
    /** The node-count bucket both bounds are computed from. */
    readonly nodes: number;
    readonly maxUnavailable: number;
    /** Rolling-update steps: ceil(nodes / maxUnavailable). */
    readonly updateSteps: number;
    readonly createSeconds: number;
    readonly updateSeconds: number;
}

export function calicoNodeTimeouts(nodeCount: number, maxUnavailable: number): CalicoNodeTimeouts {
    const nodes = nodeBucket(nodeCount);
    const updateSteps = Math.ceil(nodes / Math.max(1, maxUnavailable));
    return {
        nodes,
        maxUnavailable,
        updateSteps,
        createSeconds:
            CALICO_NODE_POD_SECONDS + AWAIT_MARGIN_SECONDS + 60 * Math.ceil(nodes / CREATE_NODES_PER_EXTRA_MINUTE),
        updateSeconds: updateSteps * CALICO_NODE_POD_SECONDS + AWAIT_MARGIN_SECONDS,
    };
}

export interface UpTimeoutInput {
    readonly nodeWaves: number;
    readonly calicoNode: Pick<CalicoNodeTimeouts, "createSeconds" | "updateSeconds">;
    readonly typha: boolean;
    /** Every node's library copy and preflight before the window (plan/window.ts), at the deploy's --parallel. */
    readonly preflightMinutes?: number;
}

/**
 * The longest `pulumi up` this stack can run, in minutes, for the deploy
 * workflow's timeout: every node's preflight (twice the estimate at the
 * deploy's --parallel), every node wave, Typha's Deployment, calico-node's longer bound,
 * kube-controllers' Deployment and the network check, one after another.
 */
export function pulumiUpTimeoutMinutes(i: UpTimeoutInput): number {
    const seconds =
        2 * 60 * (i.preflightMinutes ?? 0) +
        i.nodeWaves * NODE_WAVE_SECONDS +
        (i.typha ? DEPLOYMENT_AWAIT_SECONDS : 0) +
        Math.max(i.calicoNode.createSeconds, i.calicoNode.updateSeconds) +
        DEPLOYMENT_AWAIT_SECONDS +
        CHECK_SECONDS;
    return Math.ceil(seconds / 60);
}
