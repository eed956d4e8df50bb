/** Stack settings: waves, calico.adopt, and warnings that need several sections. */
import * as assert from "assert";
import { loadSettings, RawConfig, Settings } from "../../settings";
import { generatedRaw, HOST_KEY, tutorialRaw } from "../helpers/config";
import { ok, rejects } from "../helpers/settings";

describe("stack settings: waves", () => {
    describe("waves", () => {
        it("refuses a wave larger than a quarter of the cluster unless rollout.allowLargeWaves acknowledges it", () => {
            rejects(
                generatedRaw(100, { rollout: { waveSize: 26 } }),
                "rollout.waveSize",
                "more than a quarter of the cluster",
            );
            assert.strictEqual(ok(generatedRaw(100, { rollout: { waveSize: 25 } })).rollout.waveSize, 25);
            assert.strictEqual(
                ok(generatedRaw(100, { rollout: { waveSize: 100, allowLargeWaves: true } })).rollout.waves.length,
                1,
            );
        });
        it("takes rollout.recheck as a string, and refuses an object", () => {
            assert.strictEqual(ok(tutorialRaw({ rollout: { recheck: "2026-12-01" } })).rollout.recheck, "2026-12-01");
            rejects(tutorialRaw({ rollout: { recheck: { when: "now" } } }), "rollout.recheck", "expected a string");
        });
        it("defaults to at most ten waves", () => {
            assert.strictEqual(ok(generatedRaw(100)).rollout.waves.length, 10);
            assert.strictEqual(ok(generatedRaw(1000)).rollout.waveSize, 100);
        });
        it("keeps existing nodes in their wave when a node is appended (explicit waveSize)", () => {
            const a = ok(generatedRaw(7, { rollout: { waveSize: 3, allowLargeWaves: true } }));
            const b = ok(generatedRaw(8, { rollout: { waveSize: 3, allowLargeWaves: true } }));
            assert.deepStrictEqual(b.rollout.waves.slice(0, 2), a.rollout.waves.slice(0, 2));
            assert.deepStrictEqual(b.rollout.waves[2].slice(0, 1), a.rollout.waves[2]);
        });
    });
});

describe("calico.adopt", () => {
    it("is refused below Kubernetes 1.22, where server-side apply is off", () => {
        const r = loadSettings(tutorialRaw({ calico: { version: "v3.8.9", adopt: true } }), {
            stack: "t",
            dryRun: true,
        });
        assert.ok(
            !r.ok &&
                r.problems.some(
                    (p) => p.startsWith("flannel-to-calico:calico.adopt is true") && p.includes("pulumi import"),
                ),
        );
    });
});

describe("network warnings", () => {
    const s = (raw: RawConfig) => {
        const r = loadSettings(raw, { stack: "t", dryRun: true });
        assert.ok(r.ok, JSON.stringify(r));
        return (r as { settings: Settings }).settings;
    };
    it("warns about a full BGP mesh above 100 nodes, not at 100", () => {
        assert.ok(
            s(generatedRaw(101, { network: { mode: "bgp" } })).warnings.some((w) =>
                w.includes("full mesh above 100 nodes"),
            ),
        );
        assert.ok(!s(generatedRaw(100, { network: { mode: "bgp" } })).warnings.some((w) => w.includes("full mesh")));
        assert.ok(
            !s(
                generatedRaw(101, {
                    network: {
                        mode: "bgp",
                        bgp: { nodeToNodeMesh: false, peers: [{ name: "rr", peerIP: "10.9.0.1", asNumber: 64512 }] },
                    },
                }),
            ).warnings.some((w) => w.includes("full mesh")),
        );
    });
    it("warns about pure bgp across subnets and suggests crossSubnet", () => {
        const nodes = [
            { name: "a", address: "172.27.1.10", hostKey: HOST_KEY },
            { name: "b", address: "172.27.2.10", hostKey: HOST_KEY },
        ];
        const w = s(tutorialRaw({ nodes, network: { mode: "bgp" } })).warnings.find((x) =>
            x.includes("different subnets"),
        );
        assert.ok(w && w.includes("crossSubnet") && w.includes("judged by /24"));
        assert.ok(
            !s(
                tutorialRaw({ nodes, network: { mode: "bgp" }, cluster: { nodeCidrs: ["172.27.0.0/16"] } }),
            ).warnings.some((x) => x.includes("different subnets")),
        );
        assert.ok(
            !s(tutorialRaw({ nodes, network: { mode: "crossSubnet" } })).warnings.some((x) =>
                x.includes("different subnets"),
            ),
        );
    });
});
