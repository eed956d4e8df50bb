/** The plan's layout: each distinct script once, references in resources.jsonl, and every text as sent read back. */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writePlan } from "../../plan/planner";
import { readPlan, ScriptTexts } from "../../plan/read";
import { isScriptRef, ScriptRef, sha256 } from "../../plan/scripts";
import { Registration } from "../../plan/monitor";
import { requireSettings } from "../../settings";
import { build } from "../helpers/mocks";
import { generatedRaw, tutorialRaw } from "../helpers/config";
import { needsManifests } from "../setup";

const ROOT = path.join(__dirname, "..", "..");
const show = (...args: string[]) =>
    spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/planShow.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });

describe("the plan's layout", () => {
    let dir: string;
    let regs: Registration[];
    before(async function () {
        needsManifests(this);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-layout-"));
        await writePlan(requireSettings(tutorialRaw(), { stack: "dev", dryRun: true }), dir);
        // The same program under the same monitor: what each command sends.
        regs = (await build(tutorialRaw(), "dev")).regs;
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    const commands = () => regs.filter((r) => r.type.startsWith("command:"));

    it("writes each distinct script once, named by its sha256, with {{node}} for the node's name", () => {
        const files = fs.readdirSync(path.join(dir, "scripts"));
        const texts = files.map((f) => fs.readFileSync(path.join(dir, "scripts", f), "utf8"));
        for (const [i, f] of files.entries()) assert.strictEqual(f, `${sha256(texts[i])}.sh`);
        assert.strictEqual(new Set(texts).size, files.length);
        // 3 nodes x 2 commands share 2 node scripts; the other commands have their own.
        const nodeScripts = texts.filter((t) => t.includes("{{node}}"));
        assert.strictEqual(nodeScripts.length, 2);
        assert.ok(
            texts.every((t) => !/zhangjun-k8s0\d/.test(t)),
            "a node's name in a shared script",
        );
        const distinct = new Set(commands().map((r) => String(r.inputs.create))).size;
        assert.ok(files.length < distinct, `${files.length} files for ${distinct} distinct texts`);
    });
    it("holds no script text in resources.jsonl: every create and update is a reference", async () => {
        const text = fs.readFileSync(path.join(dir, "resources.jsonl"), "utf8");
        assert.doesNotMatch(text, /F2C_END_OF_SCRIPT|#!\/bin\/sh/);
        for (const e of await readPlan(dir))
            if (e.type.startsWith("command:"))
                for (const k of ["create", "update"]) if (k in e.inputs) assert.ok(isScriptRef(e.inputs[k]), e.name);
    });
    it("gives back every command's exact text: the script filled with its params", async () => {
        const texts = new ScriptTexts(dir);
        const entries = new Map((await readPlan(dir)).map((e) => [e.urn, e]));
        for (const r of commands())
            for (const k of ["create", "update", "delete"].filter((x) => typeof r.inputs[x] === "string")) {
                const ref = entries.get(r.urn)?.inputs[k] as ScriptRef;
                assert.strictEqual(texts.text(ref), r.inputs[k], `${r.name} ${k}`);
            }
    });
    it("refuses a script file that does not have its reference's sha256", async () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-layout-"));
        try {
            fs.cpSync(dir, copy, { recursive: true });
            const ref = (await readPlan(copy)).find((e) => e.name === "zhangjun-k8s01-cutover")?.inputs
                .create as ScriptRef;
            fs.appendFileSync(path.join(copy, ref.file), "rm -rf /\n");
            assert.throws(() => new ScriptTexts(copy).text(ref), /does not have the sha256/);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });
    it("npm run plan:show prints one input exactly as sent, and a node's commands in order", () => {
        const docker = regs.find((r) => r.name === "zhangjun-k8s02-cutover");
        const one = show("--plan", dir, "--resource", "zhangjun-k8s02-cutover", "--input", "create");
        assert.strictEqual(one.status, 0, one.stderr);
        assert.strictEqual(one.stdout, docker?.inputs.create);
        const node = show("--plan", dir, "--node", "zhangjun-k8s02");
        assert.strictEqual(node.status, 0, node.stderr);
        const headers = [...node.stdout.matchAll(/^=== (\S+)/gm)].map((m) => m[1]);
        assert.deepStrictEqual(
            headers,
            regs.filter((r) => r.name.startsWith("zhangjun-k8s02-")).map((r) => r.name),
        );
        assert.ok(node.stdout.includes(String(docker?.inputs.create)));
        assert.match(node.stdout, /--- create: scripts\/[0-9a-f]{64}\.sh with \{\{node\}\}=zhangjun-k8s02/);
    });
    it("npm run plan:show refuses an unknown node or input with exit 2", () => {
        const r = show("--plan", dir, "--node", "nope");
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /has no node nope/);
        const i = show("--plan", dir, "--resource", "zhangjun-k8s02-cutover", "--input", "stdin");
        assert.strictEqual(i.status, 2);
        assert.match(i.stderr, /has no script input stdin; it has: create/);
    });
    it("stays small: 100 nodes write 2 node scripts, and each resource is one short line", async () => {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-layout-"));
        try {
            const { files } = await writePlan(requireSettings(generatedRaw(100), { stack: "g", dryRun: true }), d);
            assert.strictEqual(files.nodeScripts, 300, "two commands and the library asset per node");
            const lines = fs.readFileSync(path.join(d, "resources.jsonl"), "utf8").split("\n").filter(Boolean);
            assert.strictEqual(lines.length, files.resources);
            const longest = Math.max(...lines.filter((l) => l.includes('"command:remote')).map((l) => l.length));
            assert.ok(longest < 2000, `a node command's line has ${longest} characters`);
            const nodeFiles = fs
                .readdirSync(path.join(d, "scripts"))
                .filter((f) => fs.readFileSync(path.join(d, "scripts", f), "utf8").includes("{{node}}"));
            assert.strictEqual(nodeFiles.length, 2);
        } finally {
            fs.rmSync(d, { recursive: true, force: true });
        }
    });
});
