import * as assert from "assert";
import { sizeTypha } from "../../settings/typha";

describe("Typha sizing (a pure function, as a table)", () => {
    //            nodes  auto  production  forced-on
    const table: [number, number, number, number][] = [
        [1, 0, 0, -1],
        [3, 0, 0, 1],
        [4, 0, 0, 1],
        [50, 0, 0, 1],
        [51, 1, 3, 1],
        [200, 1, 3, 1],
        [201, 2, 3, 2],
        [1000, 5, 5, 5],
        [4000, 20, 20, 20],
        [5000, 20, 20, 20],
    ];
    for (const [n, auto, prod, forced] of table) {
        it(`${n} node(s): auto ${auto || "off"}, production ${prod || "off"}, enabled:true ${forced < 0 ? "refused" : forced}`, () => {
            const a = sizeTypha({ nodeCount: n, enabled: "auto", production: false });
            assert.deepStrictEqual([a.decision.enabled, a.decision.replicas], [auto > 0, auto]);
            const p = sizeTypha({ nodeCount: n, enabled: "auto", production: true });
            assert.strictEqual(p.decision.replicas, prod);
            const f = sizeTypha({ nodeCount: n, enabled: true, production: false });
            if (forced < 0) assert.match(f.problems[0], /at least 2 nodes/);
            else {
                assert.deepStrictEqual(f.problems, []);
                assert.strictEqual(f.decision.replicas, forced);
            }
            assert.ok(a.decision.replicas < n || a.decision.replicas === 0, "fewer replicas than nodes");
        });
    }
    it("production at 3 nodes forced on stays below the node count", () => {
        assert.strictEqual(sizeTypha({ nodeCount: 3, enabled: true, production: true }).decision.replicas, 2);
    });
    it("an override is used as given, and checked against 1..20 and the node count", () => {
        assert.strictEqual(
            sizeTypha({ nodeCount: 300, enabled: "auto", replicas: 7, production: false }).decision.replicas,
            7,
        );
        assert.match(
            sizeTypha({ nodeCount: 300, enabled: "auto", replicas: 25, production: false }).problems[0],
            /1 to 20/,
        );
        assert.match(
            sizeTypha({ nodeCount: 10, enabled: true, replicas: 10, production: false }).problems[0],
            /fewer replicas than nodes/,
        );
    });
    it("typha.enabled false wins over the node count, and says why", () => {
        const d = sizeTypha({ nodeCount: 4000, enabled: false, production: true }).decision;
        assert.deepStrictEqual([d.enabled, d.replicas], [false, 0]);
        assert.match(d.reason, /typha.enabled is false/);
    });
});

describe("README's Typha table", () => {
    /** tigera/operator pkg/common/autoscale.go GetExpectedTyphaScale (commit 47be8d5), for comparison. */
    const operator = (n: number) => (n <= 2 ? 1 : n <= 4 ? 2 : Math.max(3, Math.floor(n / 200) + 2));
    it("matches this program's rule and the operator's at 1, 3, 4, 50, 51, 200, 201, 1000, 4000 and 5000 nodes", () => {
        const fs = require("fs") as typeof import("fs");
        const readme = fs.readFileSync(require("path").join(__dirname, "..", "..", "README.md"), "utf8") as string;
        const rows = [...readme.matchAll(/^\| (\d+) \| (off|\d+) \| (off|\d+) \| (\d+) \|$/gm)].map((m) => m.slice(1));
        assert.deepStrictEqual(
            rows.map((r) => Number(r[0])),
            [1, 3, 4, 50, 51, 200, 201, 1000, 4000, 5000],
        );
        for (const [n, mine, prod, op] of rows) {
            const show = (d: { enabled: boolean; replicas: number }) => (d.enabled ? String(d.replicas) : "off");
            assert.strictEqual(
                mine,
                show(sizeTypha({ nodeCount: Number(n), enabled: "auto", production: false }).decision),
                `${n} nodes`,
            );
            assert.strictEqual(
                prod,
                show(sizeTypha({ nodeCount: Number(n), enabled: "auto", production: true }).decision),
                `${n} nodes, production`,
            );
            assert.strictEqual(Number(op), operator(Number(n)), `${n} nodes, operator`);
        }
    });
});
