/** index.ts itself: stack config from the Pulumi runtime, as `pulumi up` hands it over. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { installPlanMonitor, Registration, settled } from "../../plan/monitor";
import { FAKE_PRIVATE_KEY } from "../helpers/config";
import { NODE_COMMAND_NAMES } from "../../nodes/steps";

/** Config as the CLI passes it: namespaced keys, objects as JSON strings, the encrypted keys listed. */
function setStackConfig(file: string, extra: Record<string, unknown>, secretKeys: string[]): void {
    const doc = yaml.load(fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8")) as {
        config: Record<string, unknown>;
    };
    const cfg: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...doc.config, ...extra }))
        cfg[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(cfg, secretKeys);
}

async function runIndex(preview: boolean): Promise<{ regs: Registration[]; outputs: Record<string, unknown> }> {
    const regs: Registration[] = [];
    installPlanMonitor((r) => regs.push(r), { project: "flannel-to-calico", stack: "dev", preview });
    const entry = require.resolve("../../index");
    delete require.cache[entry];
    const outputs = await (require(entry) as Promise<Record<string, unknown>>);
    await settled();
    return { regs, outputs };
}

describe("index.ts", () => {
    after(() => pulumi.runtime.setAllConfig({}, []));

    it("reads the stack's config, keeps the encrypted key secret, and builds the program", async () => {
        const ssh = { user: "root", port: 22, insecureIgnoreHostKeys: false, privateKey: FAKE_PRIVATE_KEY };
        setStackConfig("Pulumi.dev.yaml", { "flannel-to-calico:ssh": ssh }, ["flannel-to-calico:ssh"]);
        const { regs, outputs } = await runIndex(false);
        assert.strictEqual(outputs.mode, "ipip");
        assert.strictEqual(
            outputs.calicoManifestSha256,
            "c1a2eb14c41ffba4fff432e9a3d2576315fe191339fe30e6fc2988193a77bdba",
        );
        const provider = regs.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.strictEqual(provider.inputs.context, "tutorial");
        assert.ok(!String(provider.inputs.kubeconfig).startsWith("~"), "pulumi up expands ~ in the kubeconfig path");
        assert.strictEqual(
            regs.filter((r) => r.type === "command:remote:Command").length,
            3 * NODE_COMMAND_NAMES.length,
        );
        assert.ok(!JSON.stringify(regs).includes("TEST-ONLY-NOT-A-REAL-KEY"));
    });
    it("refuses a private key stored in plain text, before any resource", async () => {
        const ssh = { user: "root", privateKey: FAKE_PRIVATE_KEY };
        setStackConfig("Pulumi.dev.yaml", { "flannel-to-calico:ssh": ssh }, []);
        const regs: Registration[] = [];
        installPlanMonitor((r) => regs.push(r), { project: "flannel-to-calico", stack: "dev", preview: false });
        const entry = require.resolve("../../index");
        delete require.cache[entry];
        assert.throws(
            () => require(entry),
            (e: Error) =>
                /flannel-to-calico:ssh\.privateKey holds an SSH private key in plain text/.test(e.message) &&
                !e.message.includes("TEST-ONLY"),
        );
        await settled();
        assert.deepStrictEqual(regs, []);
    });
    it("refuses at pulumi up a key set without --path, before any resource", async () => {
        setStackConfig("Pulumi.dev.yaml", { "flannel-to-calico:network.mode": "vxlan" }, []);
        const regs: Registration[] = [];
        installPlanMonitor((r) => regs.push(r), { project: "flannel-to-calico", stack: "dev", preview: true });
        const entry = require.resolve("../../index");
        delete require.cache[entry];
        assert.throws(() => require(entry), /flannel-to-calico:network\.mode is a key of its own.*--path/s);
        await settled();
        assert.deepStrictEqual(regs, []);
    });
    it("needs no key for preview", async () => {
        setStackConfig("Pulumi.dev.yaml", {}, []);
        const { regs } = await runIndex(true);
        assert.ok(regs.length > 40);
    });
});
