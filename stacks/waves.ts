/** Rollout waves: which nodes are prepared together. Pure. */

/** Default wave size: at most ten waves. */
export function defaultWaveSize(nodeCount: number): number {
    return Math.max(1, Math.ceil(nodeCount / 10));
}

/**
 * Splits nodes into waves by their position in the list, so appending a node
 * never moves an existing node to another wave.
 */
export function planWaves<T>(nodes: readonly T[], waveSize: number): T[][] {
    const waves: T[][] = [];
    for (let i = 0; i < nodes.length; i += waveSize) waves.push(nodes.slice(i, i + waveSize));
    return waves;
}
