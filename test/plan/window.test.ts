/** The window estimate (plan/window.ts): waves, per-node times and the engine's --parallel. */
import * as assert from "assert";
import {
    CALICO_NODE_START_SECONDS,
    defaultParallel,
    estimateWindow,
    NODE_SECONDS,
    recommendedParallel,
} from "../../plan/window";

const waves = (n: number, size: number) =>
    Array.from({ length: Math.ceil(n / size) }, (_, i) => Array.from({ length: Math.min(size, n - i * size) }));

describe("the window estimate", () => {
    it("uses the engine's default --parallel of 4 x CPUs (pulumi up.go defaultParallel)", () => {
        assert.strictEqual(defaultParallel(2), 8);
    });
    it("runs a wave in ceil(size / parallel) rounds, waves one after another, then calico-node's start", () => {
        const e = estimateWindow(waves(300, 30), 8);
        assert.strictEqual(
            e.windowMinutes,
            Math.ceil((10 * 4 * NODE_SECONDS.cutover + CALICO_NODE_START_SECONDS) / 60),
        );
        assert.strictEqual(
            estimateWindow(waves(300, 30), 34).windowMinutes,
            Math.ceil((10 * NODE_SECONDS.cutover + CALICO_NODE_START_SECONDS) / 60),
        );
    });
    it("puts every node's library copy and preflight before the window, bounded by --parallel", () => {
        const e = estimateWindow(waves(5000, 500), 8);
        assert.strictEqual(e.preflightMinutes, Math.ceil((Math.ceil(10000 / 8) * NODE_SECONDS.preflight) / 2 / 60));
        assert.ok(
            estimateWindow(waves(5000, 500), recommendedParallel(500)).preflightMinutes < e.preflightMinutes / 50,
        );
    });
    it("recommends a --parallel that runs a whole wave at once", () => {
        assert.strictEqual(recommendedParallel(500), 504);
        assert.strictEqual(recommendedParallel(1), 8);
    });
});
