/**
 * The GitHub Actions workflows: valid against the workflow schema, and doing
 * what the README says. Conditions are evaluated (test/helpers/workflowExpr.ts),
 * so a guard set to `if: false` fails here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";
import { runs } from "../helpers/workflowExpr";

interface Step {
    id?: string;
    name?: string;
    if?: string | boolean;
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    environment?: string;
    "timeout-minutes"?: string | number;
    "runs-on"?: string;
    needs?: string | string[];
    steps: Step[];
    env?: Record<string, string>;
    strategy?: { matrix?: { stack?: string[] } };
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const read = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
const load = (f: string) => yaml.load(read(f)) as Workflow;
const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
const PINNED_SHA = /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/;

/** The steps of a job that run when the plan diff exited with `code`. */
function stepsRunFor(job: Job, code: number): Step[] {
    return job.steps.filter((s) => runs(s.if, { "steps.diff.outputs.code": String(code) }));
}
const failsJob = (s: Step) => /\bexit [1-9]/.test(s.run ?? "");

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
    it("use Node 22 everywhere, as @pulumi/pulumi 3.270 declares", () => {
        for (const f of fs.readdirSync(DIR))
            for (const job of Object.values(load(f).jobs))
                for (const s of job.steps.filter((x) => x.uses?.startsWith("actions/setup-node")))
                    assert.strictEqual(s.with?.["node-version"], 22, f);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
            engines?: { node?: string };
        };
        assert.strictEqual(pkg.engines?.node, ">=22");
    });
    it("pull requests run npm ci, lint and npm test, then a plan diff per stack", () => {
        const w = load("pull-request.yml");
        const runsText = w.jobs.test.steps.map((s) => s.run ?? "").join("\n");
        for (const cmd of ["npm ci", "npm run lint", "npm test"]) assert.ok(runsText.includes(cmd), cmd);
        assert.ok(!runsText.includes("CALICO_MANIFEST_DIR"), "a plain clone obtains the manifests itself");
        assert.deepStrictEqual([...(w.jobs["plan-diff"].strategy?.matrix?.stack ?? [])].sort(), stacks);
    });
    it("the tests and the plan diff get a read-only token and no secret", () => {
        const w = load("pull-request.yml");
        assert.deepStrictEqual(w.permissions, { contents: "read" });
        for (const job of ["test", "plan-diff"]) assert.ok(!JSON.stringify(w.jobs[job]).includes("secrets."), job);
    });
    describe("the plan-diff guard, by the diff's exit code", () => {
        const job = load("pull-request.yml").jobs["plan-diff"];
        const diff = job.steps.find((s) => s.id === "diff");
        it("records the exit code of plan:diff --guard", () => {
            assert.ok(diff?.run?.includes("plan:diff") && diff.run.includes("--guard"));
            assert.match(diff?.run ?? "", /echo "code=\$\?" >> "\$GITHUB_OUTPUT"/);
        });
        it("fails the job on exit 3 (guard tripped) with the guard's message", () => {
            const failing = stepsRunFor(job, 3).filter(failsJob);
            assert.strictEqual(failing.length, 1);
            assert.match(failing[0].name ?? "", /Guard/);
        });
        it("fails the job on a planning error, saying it is one", () => {
            for (const code of [1, 2, 4]) {
                const failing = stepsRunFor(job, code).filter(failsJob);
                assert.deepStrictEqual(
                    failing.map((s) => s.name),
                    ["Planning failed (not a guard decision)"],
                    String(code),
                );
            }
        });
        it("passes on exit 0", () => assert.deepStrictEqual(stepsRunFor(job, 0).filter(failsJob), []));
        it("the label adds --allow-protected only when it is on the pull request", () => {
            const allow = diff?.env?.ALLOW ?? "";
            assert.match(allow, /contains\(github\.event\.pull_request\.labels\.\*\.name, 'allow-protected-change'\)/);
            assert.match(diff?.run ?? "", /--guard \$ALLOW/);
        });
    });
    it("preview runs only for this repository's pull requests, behind an environment, with the policy pack", () => {
        const j = load("pull-request.yml").jobs.preview;
        const fork = {
            "github.event.pull_request.head.repo.full_name": "someone/fork",
            "github.repository": "org/repo",
        };
        const same = { ...fork, "github.event.pull_request.head.repo.full_name": "org/repo" };
        assert.strictEqual(runs(j.if, fork), false);
        assert.strictEqual(runs(j.if, same), true);
        assert.strictEqual(j.environment, "preview-${{ matrix.stack }}");
        const preview = j.steps.find((s) => /^pulumi preview/.test(s.run ?? ""));
        assert.match(preview?.run ?? "", /--refresh/);
        assert.match(preview?.run ?? "", /--policy-pack policy/);
        for (const s of j.steps.filter((x) => x.uses?.startsWith("pulumi/"))) assert.match(s.uses ?? "", PINNED_SHA);
    });
    it("comments come from a separate workflow_run job that never checks out the pull request's code", () => {
        const w = load("plan-comment.yml");
        assert.deepStrictEqual((w.on.workflow_run as { workflows: string[] }).workflows, ["pull request"]);
        assert.strictEqual(w.permissions?.["pull-requests"], "write");
        assert.ok(!Object.values(w.jobs).some((j) => j.steps.some((s) => s.uses?.startsWith("actions/checkout"))));
    });
    describe("deploy", () => {
        const w = load("deploy.yml");
        it("runs by hand for one chosen stack, never on push", () => {
            assert.deepStrictEqual(Object.keys(w.on), ["workflow_dispatch"]);
            const input = (w.on.workflow_dispatch as { inputs: { stack: { options: string[] } } }).inputs.stack;
            assert.deepStrictEqual([...input.options].sort(), stacks);
        });
        it("runs pulumi up behind the stack's environment, with the policy pack, refreshed first", () => {
            const up = w.jobs.up;
            assert.strictEqual(up.environment, "${{ inputs.stack }}");
            const cmd = up.steps.find((s) => /pulumi up/.test(s.run ?? ""))?.run ?? "";
            for (const flag of ["--refresh", "--policy-pack policy", "--yes", '--parallel "$PARALLEL"'])
                assert.ok(cmd.includes(flag), flag);
            assert.strictEqual(up.env?.PARALLEL, "${{ needs.bound.outputs.parallel }}");
            for (const s of up.steps.filter((x) => x.uses?.startsWith("pulumi/")))
                assert.match(s.uses ?? "", PINNED_SHA);
        });
        it("takes its timeout from the plan's own bound for the stack", () => {
            assert.strictEqual(w.jobs.up["timeout-minutes"], "${{ fromJSON(needs.bound.outputs.minutes) }}");
            assert.match(
                w.jobs.bound.steps.map((s) => s.run ?? "").join("\n"),
                /outputs\.json"\)\.pulumiUpTimeoutMinutes/,
            );
        });
        it("gets the SSH key and kubeconfig from environment secrets, not from the repository", () => {
            const creds = w.jobs.up.steps.find((s) => s.env?.SSH_PRIVATE_KEY);
            assert.strictEqual(creds?.env?.SSH_PRIVATE_KEY, "${{ secrets.SSH_PRIVATE_KEY }}");
            assert.strictEqual(creds?.env?.KUBECONFIG_CONTENT, "${{ secrets.KUBECONFIG }}");
        });
    });
});
