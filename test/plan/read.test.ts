/**
 * Reading plans back: this layout (resources.jsonl) and the older one a base
 * ref's own tools still write (resources.json, one array with every script
 * inline), compared with each other by sha256.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writePlan } from "../../plan/planner";
import { diffPlans } from "../../plan/diff";
import { renderMarkdown } from "../../plan/diffRender";
import { layoutOf, paramsOfEntry, readPlans } from "../../plan/read";
import { requireSettings, RawConfig } from "../../settings";
import { generatedRaw, tutorialRaw } from "../helpers/config";
import { needsManifests } from "../setup";
import { asOlderLayout } from "./olderLayout";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "f2c-read-"));

async function planDir(raw: RawConfig): Promise<string> {
    const dir = tmp();
    await writePlan(requireSettings(raw, { stack: "dev", dryRun: true }), dir);
    return dir;
}

describe("reading plans of either layout", () => {
    let dir: string;
    let older: string;
    before(async function () {
        needsManifests(this);
        dir = await planDir(tutorialRaw());
        older = await asOlderLayout(dir);
    });
    after(() => [dir, older].forEach((d) => d && fs.rmSync(d, { recursive: true, force: true })));

    it("tells the layouts apart", () => {
        assert.strictEqual(layoutOf(dir), "jsonl");
        assert.strictEqual(layoutOf(older), "json");
        assert.throws(() => layoutOf(os.tmpdir()), /is not a plan/);
    });
    it("an older base and this head of the same stack: no changes, either way round", async () => {
        for (const [b, h] of [
            [older, dir],
            [dir, older],
        ]) {
            const { base, head } = await readPlans(b, h);
            assert.strictEqual(base.length, head.length);
            assert.deepStrictEqual(diffPlans(base, head).changes, []);
        }
    });
    it("an older base's changed script is an update of that step, named by both files", async () => {
        const edited = await asOlderLayout(dir, (e) =>
            e.name === "zhangjun-k8s02-cutover"
                ? { ...e, inputs: { ...e.inputs, create: String(e.inputs.create).replace("set -eu", "set -eux") } }
                : e,
        );
        try {
            const { base, head } = await readPlans(edited, dir);
            const d = diffPlans(base, head);
            assert.deepStrictEqual(
                d.changes.map((c) => [c.verdict.action, c.label, c.verdict.fields.map((f) => f.path)]),
                [["update", "zhangjun-k8s02-cutover", ["create"]]],
            );
            assert.deepStrictEqual([...d.nodesRerun], [["zhangjun-k8s02", ["cutover"]]]);
            const md = renderMarkdown(d, { stack: "dev", base: "main" });
            assert.match(
                md,
                /`create` scripts\/[0-9a-f]{64}\.sh \(node=zhangjun-k8s02\) -> scripts\/[0-9a-f]{64}\.sh \(node=zhangjun-k8s02\)/,
            );
        } finally {
            fs.rmSync(edited, { recursive: true, force: true });
        }
    });
    it("templates an older plan's scripts with the params the other plan gives the resource, at any depth", () => {
        const ref = { file: "scripts/a.sh", params: { node: "n1" }, sha256: "a" };
        const entry = (inputs: Record<string, unknown>) => ({
            type: "command:local:Command",
            name: "n1-x",
            urn: "u",
            dependsOn: [],
            protect: false,
            inputs,
        });
        assert.deepStrictEqual(paramsOfEntry(entry({ create: ref })), { node: "n1" });
        assert.deepStrictEqual(paramsOfEntry(entry({ environment: { LIB: ref } })), { node: "n1" });
        assert.strictEqual(paramsOfEntry(entry({ create: { ...ref, params: undefined } })), undefined);
    });
    it("reads an older plan larger than its read chunks one resource at a time", async () => {
        const big = await planDir(generatedRaw(200));
        const bigOlder = await asOlderLayout(big);
        try {
            assert.ok(fs.statSync(path.join(bigOlder, "resources.json")).size > 1 << 20);
            const { base, head } = await readPlans(bigOlder, big);
            assert.strictEqual(base.length, head.length);
            assert.deepStrictEqual(diffPlans(base, head).changes, []);
        } finally {
            [big, bigOlder].forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
        }
    });
});
