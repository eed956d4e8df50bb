/** The plan's monitor: each registration decoded once, assets described by path and sha256, never their bytes. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { buildMigration } from "../../program";
import { installPlanMonitor, Registration, settled, withoutStackTraces } from "../../plan/monitor";
import { PlanWriter } from "../../plan/store";
import { sha256 } from "../../plan/scripts";
import { requireSettings } from "../../settings";
import { specialSigKey } from "../../sdkInternals";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { tutorialRaw } from "../helpers/config";
import { needsManifests } from "../setup";

describe("the plan monitor", () => {
    it("decodes each registration's inputs once: it records what the mocks decoded", async function () {
        needsManifests(this);
        const regs: Registration[] = [];
        const monitor = installPlanMonitor((r) => regs.push(r), { project: "p", stack: "dev", preview: true });
        await withoutStackTraces(async () => {
            await buildMigration(requireSettings(tutorialRaw(), { stack: "dev", dryRun: true }));
            await settled();
        });
        assert.ok(regs.length > 40, `${regs.length} registrations`);
        assert.strictEqual(monitor.decodedTwice, 0);
    });

    describe("assets (remote.CopyToRemote)", () => {
        let dir: string;
        let regs: Registration[];
        before(async () => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-assets-"));
            fs.writeFileSync(path.join(dir, "lib.tar"), "the step library\n");
            regs = [];
            installPlanMonitor((r) => regs.push(r), { project: "p", stack: "s", preview: true });
            const connection = { host: "10.0.0.1", privateKey: pulumi.secret("KEY-NOT-IN-PLAN") };
            new command.remote.CopyToRemote("n1-library", {
                connection,
                source: new pulumi.asset.FileAsset(path.join(dir, "lib.tar")),
                remotePath: "/tmp/f2c/lib.tar",
            });
            new command.remote.CopyToRemote("n1-env", {
                connection,
                source: new pulumi.asset.StringAsset("NODE=n1\n"),
                remotePath: "/tmp/f2c/env",
            });
            await settled();
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("records a file asset by its path and its content's sha256", () => {
            const lib = regs.find((r) => r.name === "n1-library");
            assert.deepStrictEqual(lib?.inputs.source, {
                asset: "file",
                path: path.join(dir, "lib.tar"),
                sha256: sha256("the step library\n"),
            });
            assert.doesNotMatch(JSON.stringify(regs), /KEY-NOT-IN-PLAN/);
        });
        it("writes a string asset's text as a script, and lists both in the node's index", () => {
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-assets-"));
            try {
                const w = new PlanWriter(out, ["n1"]);
                regs.forEach((r) => w.add(r));
                w.close();
                const entries = fs
                    .readFileSync(path.join(out, "resources.jsonl"), "utf8")
                    .split("\n")
                    .filter(Boolean)
                    .map((l) => JSON.parse(l) as { name: string; inputs: { source: Record<string, unknown> } });
                const env = entries.find((e) => e.name === "n1-env")?.inputs.source ?? {};
                assert.strictEqual(env.asset, "string");
                assert.strictEqual(env.text, undefined);
                assert.strictEqual(fs.readFileSync(path.join(out, String(env.file)), "utf8"), "NODE={{node}}\n");
                assert.deepStrictEqual(env.params, { node: "n1" });
                const index = fs.readFileSync(path.join(out, "nodes", "index.tsv"), "utf8");
                assert.match(
                    index,
                    new RegExp(`^n1\\tlibrary\\tsource\\tasset file \\S+lib\\.tar sha256:[0-9a-f]{64}$`, "m"),
                );
                assert.match(index, /^n1\tenv\tsource\tscripts\/[0-9a-f]{64}\.sh$/m);
            } finally {
                fs.rmSync(out, { recursive: true, force: true });
            }
        });
    });

    it("knows the SDK's asset and archive signatures", () => {
        const r = rpc as unknown as Record<string, string>;
        assert.strictEqual(specialSigKey, r.specialSigKey);
        assert.strictEqual(r.specialAssetSig, "c44067f5952c0a294b673a41bacd8c17");
        assert.strictEqual(r.specialArchiveSig, "0def7320c3a5731c473e5ecbe6d01bc7");
    });
});
