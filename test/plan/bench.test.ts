/** npm run bench's arithmetic and table (plan/bench.ts). */
import * as assert from "assert";
import { median, ratio, renderTable, summarize } from "../../plan/bench";

describe("the bench's figures", () => {
    it("takes medians of the runs that succeeded, and keeps the first failure", () => {
        assert.strictEqual(median([3, 1, 2]), 2);
        assert.strictEqual(median([4, 1, 2, 3]), 2.5);
        assert.strictEqual(median([]), undefined);
        const s = summarize([
            { wallMs: 10, cpuMs: 8, rssMiB: 100 },
            { wallMs: 0, failed: "exit 134: heap out of memory" },
            { wallMs: 30, cpuMs: 9, rssMiB: 300 },
        ]);
        assert.deepStrictEqual(s, {
            runs: 3,
            wallMs: 20,
            cpuMs: 8.5,
            rssMiB: 200,
            failed: "exit 134: heap out of memory",
        });
        assert.deepStrictEqual(summarize([{ wallMs: 1, failed: "x" }]), { runs: 1, failed: "x" });
    });
    it("states after / floor on wall time and CPU time", () => {
        assert.strictEqual(
            ratio({ runs: 3, wallMs: 12000, cpuMs: 11000 }, { runs: 3, wallMs: 10000, cpuMs: 10000 }),
            "1.20× (CPU 1.10×)",
        );
        assert.strictEqual(ratio(undefined, { runs: 1, wallMs: 1 }), "–");
    });
    it("puts before, after and the floor side by side in one table, failures said as such", () => {
        const t = renderTable(
            [
                {
                    nodes: 5000,
                    resources: 30052,
                    plan: {
                        before: { runs: 3, wallMs: 60000 },
                        after: { runs: 3, wallMs: 30000 },
                        floor: { runs: 3, wallMs: 28000 },
                    },
                    bytes: { before: 535 << 20, after: 45 << 20 },
                    diff: { before: { runs: 3, wallMs: 9000 }, after: { runs: 3, wallMs: 4000 } },
                },
                {
                    nodes: 10000,
                    plan: { after: { runs: 1, wallMs: 50000 } },
                    bytes: {},
                    diff: {
                        before: { runs: 1, failed: "exit 1: Cannot create a string longer" },
                        after: { runs: 3, wallMs: 8000 },
                    },
                },
            ],
            { before: "main", rounds: 3 },
        );
        const [head, , five, ten] = t.split("\n");
        assert.match(head, /\| nodes \| resources \| plan before \| plan after \| floor \| after \/ floor \|/);
        assert.match(five, /^\| 5,000 \| 30,052 \| 60\.0 s \| 30\.0 s \| 28\.0 s \| 1\.07× \|/);
        assert.match(five, /\| 535 MiB \| 45 MiB \| 9\.00 s \| 4\.00 s \|$/);
        assert.match(ten, /^\| 10,000 \| – \|.*\| fails \(exit 1: Cannot create a string longer\) \| 8\.00 s \|$/);
        assert.match(t, /^- 10000 nodes \(diff only\): the plans' figures are of one run, without a floor\.$/m);
    });
});
