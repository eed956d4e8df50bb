/** What the check covers at each stack size, what the outputs say, and the plan's summary. Pure. */
import * as assert from "assert";
import { requireSettings } from "../../settings";
import { checkImage, chooseCheckers, planCheck, sampleTargets } from "../../verify/plan";
import { jobResult } from "../../verify/result";
import { calicoReadiness, networkCheckSection } from "../../verify/summary";
import { generatedRaw, tutorialRaw } from "../helpers/config";

const ctx = { stack: "t", dryRun: true };
const waves = (n: number, size: number) =>
    Array.from({ length: Math.ceil(n / size) }, (_, w) =>
        Array.from({ length: Math.min(size, n - w * size) }, (_, i) => `n${w * size + i + 1}`),
    );

describe("the network check's plan", () => {
    it("puts checkers on the first nodes of the first, middle and last waves", () => {
        assert.deepStrictEqual(chooseCheckers(waves(30, 3)), ["n1", "n13", "n28"]);
        assert.deepStrictEqual(chooseCheckers(waves(3, 1)), ["n1", "n2", "n3"]);
        assert.deepStrictEqual(chooseCheckers(waves(2, 5)), ["n1", "n2"]);
        assert.deepStrictEqual(chooseCheckers(waves(1, 1)), ["n1"]);
    });
    it("samples every node of the last wave and 50 others spread over the earlier waves", () => {
        const w = waves(5000, 500);
        const t = sampleTargets(w);
        assert.strictEqual(t.length, 550);
        for (const n of w[w.length - 1]) assert.ok(t.includes(n), n);
        const others = t.filter((n) => !w[w.length - 1].includes(n));
        assert.strictEqual(new Set(others).size, 50);
        for (const wave of w.slice(0, -1))
            assert.ok(
                others.some((n) => wave.includes(n)),
                "every earlier wave",
            );
    });
    it("checks every probe up to 50 nodes in the cluster, and samples above", () => {
        const small = planCheck(requireSettings(generatedRaw(50), ctx));
        assert.strictEqual(small.all, true);
        assert.strictEqual(small.targets.length, 50);
        assert.strictEqual(small.pairChecks, 3 * 50 * 4);
        const big = planCheck(requireSettings(generatedRaw(51), ctx));
        assert.strictEqual(big.all, false);
        assert.strictEqual(big.targets.length, 51, "the last wave (3 nodes) and the 48 others: fewer than 50 exist");
        const part = planCheck(requireSettings(tutorialRaw({ typha: { nodeCount: 400 } }), ctx));
        assert.strictEqual(part.all, false, "a stack preparing part of a 400-node cluster checks its own nodes");
        assert.deepStrictEqual(part.targets, ["zhangjun-k8s01", "zhangjun-k8s02", "zhangjun-k8s03"]);
    });
    it("gives the Job more time for more probes, and Pulumi more than the Job", () => {
        const p3 = planCheck(requireSettings(tutorialRaw(), ctx));
        const p5000 = planCheck(requireSettings(generatedRaw(5000), ctx));
        assert.strictEqual(p3.deadlineSeconds, 300 + 35 + 180);
        assert.strictEqual(p5000.deadlineSeconds, 300 + Math.ceil(550 / 16) * 35 + 180);
        for (const p of [p3, p5000]) assert.strictEqual(p.timeoutSeconds, p.deadlineSeconds + 120);
    });
    it("takes the image through calico.imageRegistry, digest kept, unless it already names the mirror", () => {
        const s = (verify: object, calico: object = {}) =>
            requireSettings(tutorialRaw({ verify, calico: { version: "v3.8.9", ...calico } }), ctx);
        assert.strictEqual(checkImage(s({})), "docker.io/library/busybox:1.36.1");
        const reg = { imageRegistry: "registry.local:5000/mirror" };
        assert.strictEqual(checkImage(s({}, reg)), "registry.local:5000/mirror/library/busybox:1.36.1");
        const pinned = `busybox:1.36.1@sha256:${"b".repeat(64)}`;
        assert.strictEqual(checkImage(s({ image: pinned }, reg)), `registry.local:5000/mirror/${pinned}`);
        const own = "registry.local:5000/mirror/tools/busybox:1.36.1";
        assert.strictEqual(checkImage(s({ image: own }, reg)), own);
    });
    it("checks the outside address only when the settings keep it (natOutgoing on)", () => {
        const on = planCheck(requireSettings(tutorialRaw({ verify: { outsideAddress: "192.0.2.1:443" } }), ctx));
        assert.strictEqual(on.outside, "192.0.2.1:443");
        const off = requireSettings(
            tutorialRaw({ network: { natOutgoing: false }, verify: { outsideAddress: "192.0.2.1:443" } }),
            ctx,
        );
        assert.strictEqual(planCheck(off).outside, undefined);
    });
});

describe("the network check's stack output", () => {
    it("says passed, with the time from start to completion, only for a Complete Job", () => {
        const r = jobResult("f2c-check", {
            startTime: "2025-01-01T10:00:00Z",
            completionTime: "2025-01-01T10:01:05Z",
            conditions: [{ type: "Complete", status: "True" }],
        });
        assert.match(r.verdict, /^passed: Job flannel-to-calico\/f2c-check completed at 2025-01-01T10:01:05Z/);
        assert.strictEqual(r.seconds, 65);
    });
    it("says failed with the condition's message, and unknown without a status (preview, the plan)", () => {
        const f = jobResult("f2c-check", {
            conditions: [{ type: "Failed", status: "True", message: "BackoffLimitExceeded" }],
        });
        assert.match(f.verdict, /^failed: .*BackoffLimitExceeded/);
        assert.deepStrictEqual(jobResult("f2c-check", undefined), {
            verdict:
                "unknown: Pulumi has no completed status for Job flannel-to-calico/f2c-check (preview, or the offline plan)",
        });
        assert.match(jobResult("x", { conditions: [{ type: "Complete", status: "False" }] }).verdict, /^unknown/);
    });
});

describe("the plan summary's network check section", () => {
    it("names the checks, the coverage at this size and the acknowledged policies", () => {
        const s = requireSettings(tutorialRaw({ verify: { acknowledgeNetworkPolicies: ["prod/*"] } }), ctx);
        const text = networkCheckSection(s, planCheck(s)).join("\n");
        assert.match(text, /## Network check at pulumi up/);
        assert.match(text, /Job `f2c-baseline` .*fails, stopping pulumi up before any node changes/);
        assert.match(text, /Acknowledged now: `prod\/\*`/);
        assert.match(text, /After calico-node and calico-kube-controllers are ready, Job `f2c-check`/);
        assert.match(
            text,
            /3 checker pod\(s\) on zhangjun-k8s01, zhangjun-k8s02, zhangjun-k8s03, each to every probe pod/,
        );
        const big = requireSettings(generatedRaw(300), ctx);
        const bigText = networkCheckSection(big, planCheck(big)).join("\n");
        assert.match(bigText, /80 of 300 nodes' probes: every node of the last wave and up to 50 others/);
        assert.match(bigText, /calico-node, calico-kube-controllers and Typha are ready/);
    });
    it("says what calico-node's readiness proves per version and mode, and what only the probe proves", () => {
        const s = (version: string, kubernetesVersion: string, mode: string) =>
            requireSettings(
                tutorialRaw({ cluster: { kubernetesVersion }, calico: { version }, network: { mode } }),
                ctx,
            );
        const v38 = calicoReadiness(s("v3.8.9", "1.14.2", "ipip")).join("\n");
        assert.match(v38, /-bird-ready.*first 30 s .*every peer.*one Established peer is enough/);
        assert.ok(!v38.includes("interface monitor") && !v38.includes("NetworkUnavailable"));
        assert.match(v38, /neither proves tunnels .*MTU.*pod-to-pod/);
        const v326 = calicoReadiness(s("v3.26.5", "1.28.4", "vxlan")).join("\n");
        assert.match(v326, /interface monitor/);
        assert.match(v326, /no `-bird-ready` in vxlan mode/);
        assert.match(calicoReadiness(s("v3.32.1", "1.34.1", "bgp")).join("\n"), /NetworkUnavailable=false only after/);
    });
    it("says plainly when the check is off", () => {
        const s = requireSettings(tutorialRaw({ verify: { enabled: false } }), ctx);
        assert.match(
            networkCheckSection(s, undefined).join("\n"),
            /Off \(`verify\.enabled: false`\): pulumi up proves no pod traffic/,
        );
    });
});
