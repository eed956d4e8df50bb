/** The GitHub Actions workflows: valid against the workflow schema, and safe in the ways the issue asks. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const read = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (f: string) => yaml.load(read(f)) as any;
const stacks = fs
    .readdirSync(path.join(__dirname, "..", ".."))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();

describe("GitHub workflows", () => {
    for (const f of fs.readdirSync(DIR)) {
        it(`${f} is a valid workflow`, () => {
            const r = validateWorkflow(read(f));
            assert.deepStrictEqual(r.errors, [], JSON.stringify(r.errors, null, 2));
        });
    }
    it("the validator rejects a broken workflow (the check can fail)", () => {
        assert.notDeepStrictEqual(
            validateWorkflow("on: push\njobs:\n  a:\n    runs-onn: x\n    steps: []\n").errors,
            [],
        );
    });
    it("pull requests run npm ci and npm test, then a plan diff per stack", () => {
        const w = load("pull-request.yml");
        assert.ok(w.on.pull_request);
        const runs = w.jobs.test.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
        assert.match(runs, /npm ci/);
        assert.match(runs, /npm test/);
        assert.deepStrictEqual([...w.jobs["plan-diff"].strategy.matrix.stack].sort(), stacks);
        assert.match(JSON.stringify(w.jobs["plan-diff"].steps), /plan:diff -- --stack/);
    });
    it("the pull-request workflow has a read-only token and passes no secret to the plan diff", () => {
        const w = load("pull-request.yml");
        assert.deepStrictEqual(w.permissions, { contents: "read" });
        assert.ok(!JSON.stringify(w.jobs["plan-diff"]).includes("secrets."));
    });
    it("the guard fails the pull request on protected changes unless it carries the override label", () => {
        const steps = JSON.stringify(load("pull-request.yml").jobs["plan-diff"].steps);
        assert.match(steps, /--guard/);
        assert.match(steps, /allow-protected-change/);
        assert.match(steps, /exit 1/);
    });
    it("pulumi preview runs through the official action, and is skipped visibly without credentials", () => {
        const j = load("pull-request.yml").jobs.preview;
        const steps = j.steps as { uses?: string; run?: string; with?: { command?: string } }[];
        assert.ok(steps.some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "preview"));
        assert.ok(steps.some((s) => /::notice::pulumi preview skipped/.test(s.run ?? "")));
    });
    it("comments come from a separate workflow_run job that never checks out the pull request's code", () => {
        const w = load("plan-comment.yml");
        assert.deepStrictEqual(w.on.workflow_run.workflows, ["pull request"]);
        assert.strictEqual(w.permissions["pull-requests"], "write");
        const text = read("plan-comment.yml");
        assert.ok(!/actions\/checkout/.test(text), "no checkout in the comment workflow");
        assert.match(text, /updateComment/);
        assert.match(text, /<!-- flannel-to-calico plan-diff: \$\{\{ matrix.stack \}\} -->/);
    });
    it("pulumi up runs on push to main, per stack, each behind a GitHub environment", () => {
        const w = load("deploy.yml");
        assert.deepStrictEqual(w.on.push.branches, ["main"]);
        assert.strictEqual(w.jobs.up.environment, "${{ matrix.stack }}");
        assert.deepStrictEqual([...w.jobs.up.strategy.matrix.stack].sort(), stacks);
        assert.ok(
            w.jobs.up.steps.some(
                (s: { uses?: string; with?: { command?: string } }) =>
                    s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up",
            ),
        );
    });
});
