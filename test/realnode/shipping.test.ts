/**
 * Shipping the step library on a real node (issue 14): the registered
 * CopyToRemote's file lands over real SFTP, the registered preflight and
 * cutover commands run it over real SSH, a second run skips every step and
 * restarts nothing, a new recheck runs them again, an altered library is
 * refused, and a node migrated by the previous release's per-step commands
 * reports every step unchanged and restarts nothing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { invocations, mainArgv } from "./checks";
import { RealFleet } from "./fleet";
import { RealNode } from "./node";
import { stackSettings } from "./project";
import { note, prepare, requireRealNodes, runSteps, TUTORIAL } from "./suite";
import { buildSettings } from "../helpers/mocks";
import { copyToNode, runOnNode, RunResult } from "../helpers/runner";
import { nodeConnection } from "../../nodes/connection";
import { Registration } from "../../plan/monitor";

interface Shipped {
    readonly remotePath: string;
    readonly libraryText: string;
    readonly preflight: string;
    readonly cutover: string;
}

/** What the program registers for the node's library copy and its two commands. */
async function registered(fleet: RealFleet, node: RealNode, extra: Record<string, unknown> = {}): Promise<Shipped> {
    const s = stackSettings([node], fleet.privateKey, { ...TUTORIAL, ...extra });
    const { regs, migration } = await buildSettings(s);
    const by = (suffix: string): Registration => {
        const r = regs.find((x) => x.name === `${node.name}-${suffix}`);
        assert.ok(r, suffix);
        return r;
    };
    return {
        remotePath: String(by("library").inputs.remotePath),
        libraryText: migration.nodes.library.text,
        preflight: String(by("preflight").inputs.create),
        cutover: String(by("cutover").inputs.create),
    };
}

function ship(fleet: RealFleet, node: RealNode, sh: Shipped): void {
    const local = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "f2c-lib-")), path.basename(sh.remotePath));
    fs.writeFileSync(local, sh.libraryText);
    const s = stackSettings([node], fleet.privateKey, TUTORIAL);
    copyToNode(node.name, nodeConnection(s.ssh, s.nodes[0]), local, sh.remotePath);
}

function run(fleet: RealFleet, node: RealNode, script: string): RunResult {
    const s = stackSettings([node], fleet.privateKey, TUTORIAL);
    return runOnNode(node.name, nodeConnection(s.ssh, s.nodes[0]), script, 180000);
}

const lines = (r: RunResult) => r.stdout.trim().split("\n").filter(Boolean);

describe("the step library shipped to a real node", function () {
    this.timeout(300000);
    let fleet: RealFleet | undefined;
    before(async function () {
        requireRealNodes(this);
        fleet = await RealFleet.create();
    });
    after(async () => fleet?.destroy());

    it("lands content-addressed, runs preflight and cutover, then skips everything on a second run", async () => {
        const f = fleet as RealFleet;
        const node = await f.create("ship-01");
        await prepare(f, node, TUTORIAL);
        const sh = await registered(f, node);
        ship(f, node, sh);
        const sum = node.sh(`sha256sum ~/${sh.remotePath} | cut -d' ' -f1`).trim();
        assert.strictEqual(`lib-${sum}.sh`, path.basename(sh.remotePath), "the file is the one its name says");
        const pre = run(f, node, sh.preflight);
        assert.strictEqual(pre.code, 0, pre.stderr);
        const cut = run(f, node, sh.cutover);
        assert.strictEqual(cut.code, 0, `${cut.stdout}${cut.stderr}`);
        const steps = lines(cut).filter((l) => !l.includes(" warning: "));
        assert.deepStrictEqual(
            steps.map((l) => l.split(":")[0]),
            ["remove-flannel", "docker", "kubelet", "cni-state", "apply"],
        );
        assert.ok(mainArgv(node, "kubelet").filter((a) => a === "--network-plugin=cni").length === 1);
        note(`stdout bytes: preflight ${Buffer.byteLength(pre.stdout)}, cutover ${Buffer.byteLength(cut.stdout)}`);
        note(`ship-01: preflight ${pre.ms} ms, cutover ${cut.ms} ms (one SSH session each)`);
        const ids = invocations(node, ["docker", "kubelet"]);
        const again = run(f, node, sh.cutover);
        assert.strictEqual(again.code, 0, again.stderr);
        for (const l of lines(again))
            assert.match(l, /: done earlier with this library and these parameters \(skipped\)$/);
        assert.deepStrictEqual(invocations(node, ["docker", "kubelet"]), ids, "nothing restarted");
        // A new recheck: every step runs again, and being done, changes and restarts nothing.
        const rechecked = await registered(f, node, { rollout: { recheck: "2026-12-01" } });
        const third = run(f, node, rechecked.cutover);
        assert.strictEqual(third.code, 0, third.stderr);
        assert.ok(
            lines(third).every((l) => !l.includes("(skipped)")),
            third.stdout,
        );
        assert.deepStrictEqual(invocations(node, ["docker", "kubelet"]), ids, "nothing restarted");
    });

    it("refuses a library that was altered on the node, and runs nothing", async () => {
        const f = fleet as RealFleet;
        const node = await f.create("ship-02");
        await prepare(f, node, TUTORIAL);
        const sh = await registered(f, node);
        ship(f, node, sh);
        node.sh(`echo 'echo tampered' >> ~/${sh.remotePath}`);
        const r = run(f, node, sh.preflight);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /preflight failed: no intact .*lib-[0-9a-f]{64}\.sh: new rollout\.recheck ships it/);
        assert.strictEqual(node.exec("test -d /var/lib/flannel-to-calico/log").code, 1, "no step ran");
    });

    it("upgrades a node the previous release migrated (six commands): every step unchanged, nothing restarts", async () => {
        const f = fleet as RealFleet;
        const node = await f.create("ship-03");
        const p = await prepare(f, node, TUTORIAL);
        const old = runSteps(p);
        assert.ok(old.length === 6 && old.every((r) => r.code === 0), old.map((r) => r.stderr).join("\n"));
        const ids = invocations(node, ["docker", "kubelet"]);
        const sh = await registered(f, node);
        ship(f, node, sh);
        for (const cmd of [sh.preflight, sh.cutover]) {
            const r = run(f, node, cmd);
            assert.strictEqual(r.code, 0, r.stderr);
            for (const l of lines(r).filter((x) => !x.includes(" warning: ")))
                assert.match(l, /: unchanged \(nothing to do\)$/, `${l}\n${r.stdout}`);
        }
        assert.deepStrictEqual(invocations(node, ["docker", "kubelet"]), ids, "nothing restarted");
    });
});
