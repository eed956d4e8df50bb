/** calico-node's await bounds and the deploy workflow's timeout: pure functions, and what the plan registers. */
import * as assert from "assert";
import {
    AWAIT_MARGIN_SECONDS,
    CALICO_NODE_POD_SECONDS,
    calicoNodeTimeouts,
    CHECK_SECONDS,
    DEPLOYMENT_AWAIT_SECONDS,
    NODE_WAVE_SECONDS,
    nodeBucket,
    pulumiUpTimeoutMinutes,
} from "../../calico/timeouts";
import { build, byName } from "../helpers/mocks";
import { generatedRaw, tutorialRaw } from "../helpers/config";
import { estimateWindow } from "../../plan/window";

describe("calico-node's await bounds", () => {
    it("on create, one pod's start plus the margin: every node starts at once", () => {
        for (const n of [3, 300, 5000]) {
            const t = calicoNodeTimeouts(n, 1);
            assert.ok(t.createSeconds < 1200, `${n} nodes: ${t.createSeconds}s`);
            assert.ok(t.createSeconds >= CALICO_NODE_POD_SECONDS + AWAIT_MARGIN_SECONDS);
        }
    });
    it("on update, ceil(nodes / maxUnavailable) pod starts plus the margin", () => {
        assert.strictEqual(
            calicoNodeTimeouts(300, 1).updateSeconds,
            300 * CALICO_NODE_POD_SECONDS + AWAIT_MARGIN_SECONDS,
        );
        assert.strictEqual(
            calicoNodeTimeouts(300, 10).updateSeconds,
            30 * CALICO_NODE_POD_SECONDS + AWAIT_MARGIN_SECONDS,
        );
        assert.strictEqual(calicoNodeTimeouts(300, 7).updateSteps, 43);
        assert.strictEqual(
            calicoNodeTimeouts(5000, 50).updateSeconds,
            100 * CALICO_NODE_POD_SECONDS + AWAIT_MARGIN_SECONDS,
        );
        // Today's formula gave 600 + 60 × bucket: 8.5 h at 300 nodes with the same one-at-a-time rollout.
        assert.ok(calicoNodeTimeouts(300, 20).updateSeconds < 3600);
    });
    it("buckets the node count, so appending a node rarely changes a bound", () => {
        assert.strictEqual(nodeBucket(7), nodeBucket(8));
        assert.strictEqual(nodeBucket(251), 300);
        assert.strictEqual(calicoNodeTimeouts(281, 1).updateSeconds, calicoNodeTimeouts(282, 1).updateSeconds);
        assert.ok(calicoNodeTimeouts(301, 1).updateSeconds > calicoNodeTimeouts(300, 1).updateSeconds);
        assert.strictEqual(nodeBucket(12345), 13000);
    });
    it("registers them as calico-node's customTimeouts, which the provider prefers to the annotation", async () => {
        const { regs, migration } = await build(generatedRaw(300, { rollout: { calicoNodeMaxUnavailable: 10 } }));
        const ds = byName(regs, "kubernetes:apps/v1:DaemonSet", "daemonset-kube-system-calico-node");
        assert.deepStrictEqual(ds.customTimeouts, { create: "780s", update: "4200s" });
        const annotations = (ds.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {};
        assert.strictEqual(annotations["pulumi.com/timeoutSeconds"], undefined);
        assert.strictEqual(migration.outputs.calicoNodeAwait.updateSeconds, 4200);
    });
});

describe("the deploy workflow's timeout (pulumiUpTimeoutMinutes)", () => {
    it("adds node waves, Typha, calico-node's longer bound, kube-controllers and the check", () => {
        const calicoNode = { createSeconds: 780, updateSeconds: 1800 };
        const seconds = 3 * NODE_WAVE_SECONDS + 1800 + DEPLOYMENT_AWAIT_SECONDS + CHECK_SECONDS;
        assert.strictEqual(pulumiUpTimeoutMinutes({ nodeWaves: 3, calicoNode, typha: false }), Math.ceil(seconds / 60));
        assert.strictEqual(
            pulumiUpTimeoutMinutes({ nodeWaves: 3, calicoNode, typha: true }),
            Math.ceil((seconds + DEPLOYMENT_AWAIT_SECONDS) / 60),
        );
        assert.ok(pulumiUpTimeoutMinutes({ nodeWaves: 10, calicoNode, typha: false }) > 150);
    });
    it("is a stack output computed from the plan", async () => {
        const { migration, settings } = await build(tutorialRaw());
        const o = migration.outputs;
        assert.strictEqual(
            o.pulumiUpTimeoutMinutes,
            pulumiUpTimeoutMinutes({
                nodeWaves: 3,
                calicoNode: o.calicoNodeAwait,
                typha: false,
                preflightMinutes: estimateWindow(settings.rollout.waves, o.recommendedParallel).preflightMinutes,
            }),
        );
        assert.ok(
            o.pulumiUpTimeoutMinutes >
                pulumiUpTimeoutMinutes({ nodeWaves: 3, calicoNode: o.calicoNodeAwait, typha: false }),
        );
    });
});
