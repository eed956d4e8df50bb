/** Stack keys issue 11 adds or tightens: validation and where each lands in the plan. */
import * as assert from "assert";
import { loadSettings, RawConfig } from "../../settings";
import { build, byName } from "../helpers/mocks";
import { generatedRaw, tutorialRaw } from "../helpers/config";

const problems = (raw: RawConfig) => {
    const r = loadSettings(raw, { stack: "t", dryRun: true });
    return r.ok ? [] : r.problems;
};

describe("stack keys", () => {
    it("typha.replicas outside 1..20 is an error even when Typha is off", () => {
        for (const enabled of [false, "auto"])
            for (const replicas of [0, 21, 2.5]) {
                const p = problems(tutorialRaw({ typha: { enabled, replicas } }));
                assert.match(
                    p.join("\n"),
                    /typha\.replicas is .*: it must be a whole number from 1 to 20/,
                    `${enabled} ${replicas}`,
                );
            }
        assert.deepStrictEqual(problems(tutorialRaw({ typha: { enabled: false, replicas: 20 } })), []);
    });
    it("rollout.calicoNodeMaxUnavailable: default 1, at least 1, set on calico-node's updateStrategy", async () => {
        assert.match(
            problems(tutorialRaw({ rollout: { calicoNodeMaxUnavailable: 0 } })).join(),
            /calicoNodeMaxUnavailable is 0/,
        );
        const ds = async (raw: RawConfig) =>
            (
                byName((await build(raw)).regs, "kubernetes:apps/v1:DaemonSet", "daemonset-kube-system-calico-node")
                    .inputs.spec as { updateStrategy: unknown }
            ).updateStrategy;
        assert.deepStrictEqual(await ds(generatedRaw(60)), {
            type: "RollingUpdate",
            rollingUpdate: { maxUnavailable: 1 },
        });
        assert.deepStrictEqual(await ds(generatedRaw(60, { rollout: { calicoNodeMaxUnavailable: 6 } })), {
            type: "RollingUpdate",
            rollingUpdate: { maxUnavailable: 6 },
        });
    });
    it("network.vxlanTransition is a boolean and allows network.bgp with vxlan (BIRD runs)", () => {
        assert.match(
            problems(tutorialRaw({ network: { vxlanTransition: "soon" } })).join(),
            /vxlanTransition is "soon"/,
        );
        const bgp = { asNumber: 64513 };
        assert.match(problems(tutorialRaw({ network: { mode: "vxlan", bgp } })).join(), /network\.bgp/);
        assert.deepStrictEqual(problems(tutorialRaw({ network: { mode: "vxlan", bgp, vxlanTransition: true } })), []);
    });
});
