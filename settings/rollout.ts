/** The `rollout` section: how many nodes are cut over at once, and the re-run trigger. Waves are planned here. */
import { Raw, Reader } from "./reader";
import { NodeSettings, RolloutSettings } from "./types";

/** Default wave size: at most ten waves. */
export function defaultWaveSize(nodeCount: number): number {
    return Math.max(1, Math.ceil(nodeCount / 10));
}

/** The largest wave that needs no acknowledgement: a quarter of the cluster (at least one node). */
export function largeWaveLimit(nodeCount: number): number {
    return Math.max(1, Math.ceil(nodeCount / 4));
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

function readRecheck(r: Reader, v: unknown): string {
    if (typeof v === "string" || typeof v === "number") return String(v);
    if (v !== undefined && v !== null) {
        r.problem(
            "rollout.recheck",
            v,
            `expected a string such as "2026-12-01": a new value runs every node's steps again`,
        );
    }
    return "";
}

export function readRollout(r: Reader, raw: unknown, deps: { nodes: readonly NodeSettings[] }): RolloutSettings {
    const ro: Raw = r.section("rollout", raw, ["waveSize", "recheck", "allowLargeWaves", "calicoNodeMaxUnavailable"]);
    const n = deps.nodes.length;
    const waveSize = r.intOr("rollout.waveSize", ro.waveSize, defaultWaveSize(n), {
        min: 1,
        fix: "expected how many nodes are prepared at once, a whole number of at least 1",
    });
    const allowLargeWaves = r.bool("rollout.allowLargeWaves", ro.allowLargeWaves, false);
    if (n > 0 && waveSize > largeWaveLimit(n) && !allowLargeWaves) {
        r.problem(
            "rollout.waveSize",
            waveSize,
            `a wave of ${Math.min(waveSize, n)} of ${n} nodes cuts over more than a quarter of the cluster at once ` +
                `(more than ${largeWaveLimit(n)}); lower it, or set rollout.allowLargeWaves: true to accept that`,
        );
    }
    const recheck = readRecheck(r, ro.recheck);
    // The manifests' own calico-node updateStrategy (rollingUpdate.maxUnavailable: 1 in v3.8.9, v3.26.5, v3.32.1).
    const calicoNodeMaxUnavailable = r.intOr("rollout.calicoNodeMaxUnavailable", ro.calicoNodeMaxUnavailable, 1, {
        min: 1,
        fix: "expected how many nodes restart calico-node at once in a rolling update, a whole number of at least 1 (default 1, as Calico's manifests)",
    });
    return {
        waveSize,
        recheck,
        calicoNodeMaxUnavailable,
        waves: planWaves(
            deps.nodes.map((x) => x.name),
            waveSize,
        ),
    };
}
