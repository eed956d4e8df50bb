/**
 * NodePreparation under mocks: per node a shipped library and two commands;
 * every preflight before the first cutover; Calico's base objects before the
 * first cutover; calico-node after the last wave.
 */
import * as assert from "assert";
import { ancestors, build, byName } from "../helpers/mocks";
import { FAKE_PRIVATE_KEY, generatedCluster, generatedRaw, tutorialRaw } from "../helpers/config";
import { NODE_COMMAND_NAMES } from "../../nodes/steps";
import { library } from "../../nodes/bundle";
import { Secret } from "../../settings/secret";
import { Registration } from "../../plan/monitor";

const CMD = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
const perNode = (regs: Registration[], node: string) => regs.filter((r) => r.name.startsWith(`${node}-`) && r.custom);

describe("NodePreparation under mocks", () => {
    it("registers at most three resources per node: the library, preflight and cutover, inside the component", async () => {
        const { regs } = await build(tutorialRaw());
        const comp = byName(regs, "flannel-to-calico:nodes:NodePreparation", "nodes");
        const mine = perNode(regs, "zhangjun-k8s02");
        assert.deepStrictEqual(mine.map((r) => `${r.type} ${r.name}`).sort(), [
            `${CMD} zhangjun-k8s02-cutover`,
            `${CMD} zhangjun-k8s02-preflight`,
            `${COPY} zhangjun-k8s02-library`,
        ]);
        for (const r of mine) assert.strictEqual(r.parent, comp.urn);
        assert.strictEqual(regs.filter((r) => r.type === CMD).length, 3 * NODE_COMMAND_NAMES.length);
    });
    it("ships one content-addressed library, never its text, and runs short commands that name steps", async () => {
        const { regs } = await build(tutorialRaw());
        const lib = library();
        const copy = byName(regs, COPY, "zhangjun-k8s01-library");
        assert.strictEqual(copy.inputs.remotePath, `.flannel-to-calico/lib-${lib.sha256}.sh`);
        assert.ok(!JSON.stringify(copy.inputs).includes("f2c_program"), "the library's text is not an input");
        const cutover = byName(regs, CMD, "zhangjun-k8s01-cutover");
        const create = String(cutover.inputs.create);
        assert.ok(create.length < 1500, `${create.length} characters`);
        assert.match(create, /F2C_COMMAND=cutover /);
        assert.ok(create.startsWith(`set -eu\ns=${lib.sha256} l="$HOME/.flannel-to-calico/lib-$s.sh"`), create);
        assert.match(create, /echo "\$s {2}\$l" \| sha256sum -c --status/);
        assert.deepStrictEqual(cutover.dependsOn.includes(copy.urn), true);
    });
    it("puts the library's sha256 and rollout.recheck in triggers, with no update text and no delete", async () => {
        const { regs } = await build(tutorialRaw({ rollout: { recheck: "2026-11-24" } }));
        const c = byName(regs, CMD, "zhangjun-k8s01-cutover");
        assert.deepStrictEqual(c.inputs.triggers, [library().sha256, "2026-11-24"]);
        assert.strictEqual(c.inputs.update, undefined, "update falls back to create");
        assert.strictEqual(c.inputs.delete, undefined);
    });
    it("re-runs a node's commands and re-ships the library when recheck is bumped", async () => {
        const a = (await build(tutorialRaw({ rollout: { recheck: "1" } }))).regs;
        const b = (await build(tutorialRaw({ rollout: { recheck: "2" } }))).regs;
        for (const [type, name] of [
            [CMD, "zhangjun-k8s01-cutover"],
            [COPY, "zhangjun-k8s01-library"],
        ]) {
            assert.notDeepStrictEqual(
                byName(a, type, name).inputs.triggers,
                byName(b, type, name).inputs.triggers,
                name,
            );
        }
    });
    it("builds the connection from the node and ssh settings, pinning the host key and keeping the key secret", async () => {
        const bastion = {
            host: "bastion.example.com",
            hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ95Lh9rl//6eIEpALmkDJU5jWtJGTLU566fX5RgT8AO",
        };
        const ssh = { user: "ops", port: 2222, privateKey: new Secret(FAKE_PRIVATE_KEY), bastion };
        const { regs } = await build(tutorialRaw({ ssh }), "test", false);
        for (const c of [byName(regs, CMD, "zhangjun-k8s03-preflight"), byName(regs, COPY, "zhangjun-k8s03-library")]) {
            type Conn = Record<string, string | number> & { proxy: Record<string, string> };
            const conn = c.inputs.connection as Conn;
            assert.deepStrictEqual(
                [conn.host, conn.port, conn.user, conn.privateKey],
                ["172.27.137.238", 2222, "ops", "[secret]"],
            );
            assert.match(String(conn.hostKey), /^ssh-ed25519 /);
            assert.deepStrictEqual(
                [conn.proxy.host, conn.proxy.privateKey, conn.proxy.hostKey],
                [bastion.host, "[secret]", bastion.hostKey],
            );
            assert.deepStrictEqual([conn.dialErrorLimit, conn.perDialTimeout], [10, 15]);
        }
        assert.ok(!JSON.stringify(regs).includes("TEST-ONLY-NOT-A-REAL-KEY"));
    });
    it("shows step results: stdout is an ordinary output (scripts print no secret), logged as it runs", async () => {
        const { regs } = await build(tutorialRaw({ ssh: { privateKey: new Secret(FAKE_PRIVATE_KEY) } }), "t", false);
        const c = byName(regs, CMD, "zhangjun-k8s01-cutover");
        assert.strictEqual(c.inputs.logging, undefined, "the default logs stdout and stderr as they come");
        assert.deepStrictEqual([...c.additionalSecretOutputs].sort(), ["connection"]);
        for (const text of [String(c.inputs.create), library().text])
            assert.ok(!text.includes("TEST-ONLY"), "no secret in what runs");
    });
    it("runs every node's preflight before the first cutover, and Calico's base objects before it too", async () => {
        const { regs, settings } = await build(generatedRaw(10, { rollout: { waveSize: 3, allowLargeWaves: true } }));
        const first = settings.rollout.waves[0][0];
        const anc = ancestors(regs, byName(regs, CMD, `${first}-cutover`).urn);
        for (const n of settings.nodes) assert.ok(anc.has(byName(regs, CMD, `${n.name}-preflight`).urn), n.name);
        for (const name of [
            "ippool-cluster-default-ipv4-ippool",
            "configmap-kube-system-calico-config",
            "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
        ]) {
            assert.ok(anc.has(regs.find((r) => r.name === name)?.urn ?? ""), `${name} before the first cutover`);
        }
        const node = regs.find((r) => r.name === "daemonset-kube-system-calico-node");
        assert.ok(
            node && ancestors(regs, node.urn).has(byName(regs, CMD, `${settings.rollout.waves[3][0]}-cutover`).urn),
            "calico-node after the last wave",
        );
        const preflight = ancestors(regs, byName(regs, CMD, `${settings.rollout.waves[3][0]}-preflight`).urn);
        assert.ok(
            ![...preflight].some((u) => u.includes("-cutover") || u.includes("kubernetes:")),
            "a preflight waits for nothing but its library",
        );
    });
    it("makes wave k+1 wait for every node of wave k, and no node for another of its wave", async () => {
        const { regs, settings } = await build(generatedRaw(10, { rollout: { waveSize: 3, allowLargeWaves: true } }));
        const waves = settings.rollout.waves;
        for (let w = 1; w < waves.length; w++) {
            for (const node of waves[w]) {
                const anc = ancestors(regs, byName(regs, CMD, `${node}-cutover`).urn);
                for (const prev of waves[w - 1])
                    assert.ok(anc.has(byName(regs, CMD, `${prev}-cutover`).urn), `${node} waits for ${prev}`);
            }
            if (waves[w].length < 2) continue;
            const anc = ancestors(regs, byName(regs, CMD, `${waves[w][1]}-cutover`).urn);
            assert.ok(!anc.has(byName(regs, CMD, `${waves[w][0]}-cutover`).urn));
        }
    });
    it("keeps existing nodes' resources and dependencies when a node is appended", async () => {
        const cluster = generatedCluster(7);
        const a = await build(generatedRaw(7, { rollout: { waveSize: 3, allowLargeWaves: true } }));
        const b = await build(generatedRaw(8, { rollout: { waveSize: 3, allowLargeWaves: true }, cluster }));
        for (const r of a.regs.filter((x) => x.type === CMD || x.type === COPY)) {
            const same = byName(b.regs, r.type, r.name);
            assert.deepStrictEqual(same.inputs, r.inputs);
            if (!r.name.endsWith("-preflight")) assert.deepStrictEqual(same.dependsOn, r.dependsOn, r.name);
        }
        assert.strictEqual(perNode(b.regs, "node-0008").length, 3);
    });
    it("keeps the graph linear in the node count", async () => {
        const { regs } = await build(generatedRaw(300));
        const edges = regs.reduce((n, r) => n + r.dependsOn.length, 0);
        assert.ok(edges < 300 * 6, `${edges} dependency edges for 300 nodes`);
    });
});
