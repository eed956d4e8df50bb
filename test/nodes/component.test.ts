import * as assert from "assert";
import { ancestors, build, byName } from "../helpers/mocks";
import { FAKE_PRIVATE_KEY, generatedRaw, tutorialRaw } from "../helpers/config";
import { STEPS } from "../../nodes/steps";
import { sha256 } from "../../nodes/render";
import { Secret } from "../../settings/secret";

const CMD = "command:remote:Command";

describe("NodePreparation under mocks", () => {
    it("registers one remote.Command per node and step, named node-step, inside the component", async () => {
        const { regs } = await build(tutorialRaw());
        const cmds = regs.filter((r) => r.type === CMD);
        assert.strictEqual(cmds.length, 3 * STEPS.length);
        const comp = byName(regs, "flannel-to-calico:nodes:NodePreparation", "nodes");
        for (const c of cmds) assert.strictEqual(c.parent, comp.urn);
        assert.ok(cmds.some((c) => c.name === "zhangjun-k8s02-remove-flannel"));
    });
    it("chains the steps of a node in order", async () => {
        const { regs } = await build(tutorialRaw());
        for (let i = 1; i < STEPS.length; i++) {
            const c = byName(regs, CMD, `zhangjun-k8s01-${STEPS[i]}`);
            assert.deepStrictEqual(c.dependsOn, [byName(regs, CMD, `zhangjun-k8s01-${STEPS[i - 1]}`).urn]);
        }
    });
    it("puts the script hash and rollout.recheck in triggers, with an update and no delete", async () => {
        const { regs } = await build(tutorialRaw({ rollout: { recheck: "2026-11-24" } }));
        const c = byName(regs, CMD, "zhangjun-k8s01-docker");
        assert.deepStrictEqual(c.inputs.triggers, [sha256(String(c.inputs.create)), "2026-11-24"]);
        assert.strictEqual(c.inputs.update, c.inputs.create);
        assert.strictEqual(c.inputs.delete, undefined);
    });
    it("re-runs a node's scripts when recheck is bumped (triggers change, scripts do not)", async () => {
        const a = byName((await build(tutorialRaw({ rollout: { recheck: "1" } }))).regs, CMD, "zhangjun-k8s01-apply");
        const b = byName((await build(tutorialRaw({ rollout: { recheck: "2" } }))).regs, CMD, "zhangjun-k8s01-apply");
        assert.strictEqual(a.inputs.create, b.inputs.create);
        assert.notDeepStrictEqual(a.inputs.triggers, b.inputs.triggers);
    });
    it("builds the connection from the node and ssh settings, pinning the host key and keeping the key secret", async () => {
        const { regs } = await build(
            tutorialRaw({
                ssh: {
                    user: "ops",
                    port: 2222,
                    privateKey: new Secret(FAKE_PRIVATE_KEY),
                    bastion: {
                        host: "bastion.example.com",
                        hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ95Lh9rl//6eIEpALmkDJU5jWtJGTLU566fX5RgT8AO",
                    },
                },
            }),
            "test",
            false,
        );
        const c = byName(regs, CMD, "zhangjun-k8s03-preflight");
        type Conn = Record<string, string | number> & { proxy: Record<string, string> };
        const conn = c.inputs.connection as Conn;
        assert.strictEqual(conn.host, "172.27.137.238");
        assert.strictEqual(conn.port, 2222);
        assert.strictEqual(conn.user, "ops");
        assert.match(String(conn.hostKey), /^ssh-ed25519 /);
        assert.strictEqual(conn.privateKey, "[secret]");
        assert.strictEqual(conn.proxy.host, "bastion.example.com");
        assert.strictEqual(conn.proxy.privateKey, "[secret]");
        assert.strictEqual(conn.dialErrorLimit, 10);
        assert.strictEqual(conn.perDialTimeout, 15);
        assert.strictEqual(
            conn.proxy.hostKey,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ95Lh9rl//6eIEpALmkDJU5jWtJGTLU566fX5RgT8AO",
        );
        assert.strictEqual(c.inputs.logging, "stderr");
        assert.deepStrictEqual([...c.additionalSecretOutputs].sort(), ["connection", "stderr", "stdout"]);
        assert.ok(!JSON.stringify(regs).includes("TEST-ONLY-NOT-A-REAL-KEY"));
    });
    it("changes the connection input when the key rotates, so the scripts run again", async () => {
        const a = await build(tutorialRaw({ ssh: { privateKey: new Secret("key-A") } }), "t", false);
        const b = await build(
            tutorialRaw({
                ssh: {
                    privateKey: new Secret("key-B"),
                    bastion: {
                        host: "10.9.9.9",
                        hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ95Lh9rl//6eIEpALmkDJU5jWtJGTLU566fX5RgT8AO",
                    },
                },
            }),
            "t",
            false,
        );
        assert.notDeepStrictEqual(
            byName(a.regs, CMD, "zhangjun-k8s01-preflight").inputs.connection,
            byName(b.regs, CMD, "zhangjun-k8s01-preflight").inputs.connection,
        );
    });
    it("makes every command of wave k+1 wait for every node of wave k (through the wave's gate)", async () => {
        const { regs, settings } = await build(generatedRaw(10, { rollout: { waveSize: 3, allowLargeWaves: true } }));
        const waves = settings.rollout.waves;
        assert.strictEqual(waves.length, 4);
        for (let w = 1; w < waves.length; w++) {
            for (const node of waves[w])
                for (const step of STEPS) {
                    const anc = ancestors(regs, byName(regs, CMD, `${node}-${step}`).urn);
                    for (const prev of waves[w - 1])
                        assert.ok(
                            anc.has(byName(regs, CMD, `${prev}-apply`).urn),
                            `${node}-${step} does not wait for ${prev}`,
                        );
                }
            // Inside a wave, nodes run in parallel: no node waits on another of its wave.
            if (waves[w].length > 1) {
                const anc = ancestors(regs, byName(regs, CMD, `${waves[w][1]}-apply`).urn);
                assert.ok(!anc.has(byName(regs, CMD, `${waves[w][0]}-apply`).urn));
            }
        }
    });
    it("keeps existing nodes' commands and dependencies when a node is appended", async () => {
        const a = await build(generatedRaw(7, { rollout: { waveSize: 3, allowLargeWaves: true } }));
        const b = await build(
            generatedRaw(8, {
                rollout: { waveSize: 3, allowLargeWaves: true },
                cluster: {
                    name: "gen-7",
                    kubernetesVersion: "1.28.4",
                    podCidr: "172.30.0.0/16",
                    serviceCidr: "10.254.0.0/16",
                    context: "gen-7",
                },
            }),
        );
        for (const r of a.regs.filter((x) => x.type === CMD)) {
            const same = byName(b.regs, CMD, r.name);
            assert.deepStrictEqual(same.inputs, r.inputs);
            assert.deepStrictEqual(same.dependsOn, r.dependsOn);
        }
        assert.strictEqual(
            b.regs.filter((x) => x.type === CMD).length - a.regs.filter((x) => x.type === CMD).length,
            STEPS.length,
        );
    });
    it("keeps the graph linear in the node count", async () => {
        const { regs } = await build(generatedRaw(300));
        const edges = regs.reduce((n, r) => n + r.dependsOn.length, 0);
        assert.ok(edges < 300 * (STEPS.length + 2), `${edges} dependency edges for 300 nodes`);
    });
    it("reports wave count and dependency depth for 3, 100 and 1000 nodes", async () => {
        for (const n of [3, 100, 1000]) {
            const { regs, settings } = await build(n === 3 ? tutorialRaw() : generatedRaw(n));
            const depth = new Map<string, number>();
            for (const r of regs) depth.set(r.urn, 1 + Math.max(0, ...r.dependsOn.map((d) => depth.get(d) ?? 0)));
            const max = Math.max(...depth.values());
            process.stderr.write(
                `      ${n} nodes: ${settings.rollout.waves.length} wave(s) of ${settings.rollout.waveSize}, dependency depth ${max}\n`,
            );
            // Each wave adds its node steps plus its gate; Kubernetes objects come after the last gate.
            assert.ok(max >= settings.rollout.waves.length * (STEPS.length + 1));
        }
    });
});
