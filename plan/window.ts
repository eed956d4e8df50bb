/**
 * How long the outage window and the node preparation take, estimated from
 * the plan: wave count and size, per-node command times, and the engine's
 * parallelism. Pure.
 *
 * The engine runs at most `--parallel` resource operations at once; its
 * default is 4 × GOMAXPROCS (pulumi/pulumi pkg/cmd/pulumi/operations/up.go
 * defaultParallel, v3.259.0; PULUMI_PARALLEL overrides it). A wave's cutovers
 * therefore run in ceil(waveSize / parallel) rounds, and the next wave starts
 * when the last node of this one is done (its gate).
 */

/** Per-node command times on a real node (test/realnode), rounded up with room for SSH dials. */
export const NODE_SECONDS = {
    /** Measured 0.5–1 s plus image pulls, which depend on the registry: budgeted at 60 s. */
    preflight: 60,
    /** The five cutover steps measured 3.8–4.9 s on the tutorial node; apply also waits for docker and kubelet. */
    cutover: 30,
};

/** calico-node Ready everywhere after the last cutover: image present (preflight pulled it), one start per node. */
export const CALICO_NODE_START_SECONDS = 120;

export interface WindowEstimate {
    readonly parallel: number;
    /** Before the window: every node's library copy and preflight, then Calico's base objects. */
    readonly preflightMinutes: number;
    /** From the first cutover until calico-node is Ready on every node. */
    readonly windowMinutes: number;
}

export function defaultParallel(cpus: number): number {
    return 4 * Math.max(1, cpus);
}

export function estimateWindow(waves: readonly (readonly unknown[])[], parallel: number): WindowEstimate {
    const p = Math.max(1, parallel);
    const nodes = waves.reduce((n, w) => n + w.length, 0);
    // Library copy and preflight are two operations per node, all nodes eligible at once.
    const preflight = Math.ceil((2 * nodes) / p) * (NODE_SECONDS.preflight / 2);
    const cutover = waves.reduce((t, w) => t + Math.ceil(w.length / p) * NODE_SECONDS.cutover, 0);
    return {
        parallel: p,
        preflightMinutes: Math.ceil(preflight / 60),
        windowMinutes: Math.ceil((cutover + CALICO_NODE_START_SECONDS) / 60),
    };
}

/** A --parallel that runs a whole wave at once (a wave's cutovers, plus room for the engine's own steps). */
export function recommendedParallel(waveSize: number): number {
    return Math.max(8, waveSize + 4);
}
