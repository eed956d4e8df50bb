/** The command-line tools as a user meets them: arguments, exit codes, messages, and git without a shell. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRepo, ProjectRepo } from "../helpers/repo";
import { needsManifests } from "../setup";

/** tools/plan.ts as an older tree had it: the plan written as one resources.json array with every script inline. */
const OLDER_PLAN_TOOL = `import { spawnSync } from "child_process";
import * as fs from "fs";
import { asOlderLayout } from "../test/plan/olderLayout";
const argv = process.argv.slice(2);
const out = argv[argv.indexOf("--out") + 1];
const args = argv.map((a) => (a === out ? \`\${out}.new\` : a));
const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", \`\${__dirname}/planLatest.ts\`, ...args], {
    stdio: "inherit",
});
if (r.status !== 0) process.exit(r.status ?? 4);
fs.mkdirSync(out, { recursive: true });
void asOlderLayout(\`\${out}.new\`, undefined, out).then(() => fs.rmSync(\`\${out}.new\`, { recursive: true }));
`;

const noStackTrace = (text: string) => assert.ok(!/^\s+at .*\(.*:\d+:\d+\)$/m.test(text), `a stack trace:\n${text}`);

describe("the command-line tools", function () {
    this.timeout(180000);
    let repo: ProjectRepo;
    before(function () {
        needsManifests(this);
        repo = projectRepo();
    });
    after(() => repo?.remove());

    describe("npm run plan", () => {
        it("prints its usage for --help and exits 0", () => {
            const r = repo.tool("plan", "--help");
            assert.strictEqual(r.status, 0, r.stderr);
            assert.match(r.stdout, /usage: npm run plan -- --stack <name>/);
            assert.match(r.stdout, /exit codes: 0 planned, 1 .*, 2 bad arguments, 4 planning failed/);
        });
        it("takes --stack=dev and --stack dev alike", () => {
            for (const args of [
                ["--stack=dev", "--out=out-a"],
                ["--stack", "dev", "--out", "out-b"],
            ]) {
                const r = repo.tool("plan", ...args);
                assert.strictEqual(r.status, 0, r.stderr);
            }
            assert.strictEqual(
                fs.readFileSync(path.join(repo.dir, "out-a", "summary.md"), "utf8"),
                fs.readFileSync(path.join(repo.dir, "out-b", "summary.md"), "utf8"),
            );
        });
        it("refuses an unknown stack with exit 2, naming the stacks there are", () => {
            const r = repo.tool("plan", "--stack", "nosuch");
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /there is no stack nosuch here \(no Pulumi\.nosuch\.yaml\); stacks: dev, prod-bgp/);
            noStackTrace(r.stderr);
        });
        it("refuses an unknown flag with exit 2 and the usage", () => {
            const r = repo.tool("plan", "--stak", "dev");
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /Unknown option '--stak'/);
            assert.match(r.stderr, /usage:/);
        });
        it("exits 1 with every problem when the stack config is bad, without a stack trace", () => {
            repo.edit("Pulumi.dev.yaml", (t) =>
                t.replace("mode: ipip", "mode: ipipp").replace("podCidr: 172.30.0.0/16", "podCidr: 172.30.0.1/16"),
            );
            try {
                const r = repo.tool("plan", "--stack", "dev", "--out", "out-bad");
                assert.strictEqual(r.status, 1);
                assert.match(r.stderr, /has 2 problem\(s\)/);
                assert.match(r.stderr, /flannel-to-calico:network\.mode is "ipipp"/);
                noStackTrace(r.stderr);
            } finally {
                repo.git("checkout", "--", "Pulumi.dev.yaml");
            }
        });
    });

    describe("npm run plan:diff", () => {
        it("exits 3 on a protected replace with --guard, and 0 with --allow-protected", () => {
            repo.edit("Pulumi.dev.yaml", (t) => t.replace("podCidr: 172.30.0.0/16", "podCidr: 172.31.0.0/16"));
            try {
                const tripped = repo.tool("planDiff", "--stack", "dev", "--base", "HEAD", "--guard");
                assert.strictEqual(tripped.status, 3, tripped.stderr);
                assert.match(tripped.stdout, /REPLACE/);
                assert.match(tripped.stderr, /GUARD/);
                const allowed = repo.tool("planDiff", "--stack=dev", "--base=HEAD", "--guard", "--allow-protected");
                assert.strictEqual(allowed.status, 0, allowed.stderr);
            } finally {
                repo.git("checkout", "--", "Pulumi.dev.yaml");
            }
        });
        it("compares a base ref planned by its own older tools (one resources.json, scripts inline): No changes", () => {
            // The base commit's tools/plan.ts writes the older layout; without plan/register.js, ts-node runs it.
            repo.git("mv", "tools/plan.ts", "tools/planLatest.ts");
            repo.git("rm", "-q", "plan/register.js");
            fs.writeFileSync(path.join(repo.dir, "tools", "plan.ts"), OLDER_PLAN_TOOL);
            repo.git("add", "-A");
            repo.git("commit", "-qm", "older plan tool");
            repo.git("checkout", "HEAD~1", "--", "tools/plan.ts", "plan/register.js");
            repo.git("rm", "-q", "--cached", "tools/planLatest.ts");
            fs.rmSync(path.join(repo.dir, "tools", "planLatest.ts"));
            try {
                const r = repo.tool("planDiff", "--stack", "dev", "--base", "HEAD");
                assert.strictEqual(r.status, 0, r.stderr);
                assert.match(r.stdout, /No changes\./);
                assert.match(r.stderr, /planning dev at HEAD/);
            } finally {
                repo.git("reset", "-q", "--hard", "HEAD~1");
            }
        });
        it("compares two plans already written (--base-plan, --head-plan), and refuses a directory that is not one", () => {
            for (const out of ["out-c", "out-d"])
                assert.strictEqual(repo.tool("plan", "--stack=dev", `--out=${out}`).status, 0);
            const r = repo.tool("planDiff", "--base-plan", "out-c", "--head-plan", "out-d");
            assert.strictEqual(r.status, 0, r.stderr);
            assert.match(r.stdout, /No changes\./);
            const bad = repo.tool("planDiff", "--base-plan", "tools", "--head-plan", "out-d");
            assert.strictEqual(bad.status, 2);
            assert.match(bad.stderr, /tools is not a plan/);
        });
        it("refuses an unknown stack with exit 2 instead of printing No changes", () => {
            const r = repo.tool("planDiff", "--stack", "nosuch", "--base", "HEAD");
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /there is no stack nosuch: no Pulumi\.nosuch\.yaml in the working tree or at HEAD/);
            assert.doesNotMatch(r.stdout, /No changes/);
        });
        it("refuses a base ref that does not exist with exit 2", () => {
            const r = repo.tool("planDiff", "--stack", "dev", "--base", "no-such-branch");
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /"no-such-branch" is not a commit here/);
            noStackTrace(r.stderr);
        });
        it("never runs a hostile ref through a shell: a branch named x$(touch${IFS}PWNED) is just a branch", () => {
            const hostile = "x$(touch${IFS}PWNED)";
            repo.git("branch", hostile);
            const r = repo.tool("planDiff", "--stack", "dev", "--base", hostile);
            assert.strictEqual(r.status, 0, r.stderr);
            assert.match(r.stdout, /No changes/);
            assert.ok(!fs.existsSync(path.join(repo.dir, "PWNED")), "the ref ran as a command");
            const option = repo.tool("planDiff", "--stack", "dev", "--base", "--output=/tmp/x");
            assert.notStrictEqual(option.status, 0);
        });
        it("reports a planning error as a planning error, not as a protected change", () => {
            repo.edit("Pulumi.dev.yaml", (t) => t.replace("version: v3.8.9", "version: v3.8.99"));
            try {
                const r = repo.tool("planDiff", "--stack", "dev", "--base", "HEAD", "--guard");
                assert.strictEqual(r.status, 1, r.stderr);
                assert.match(
                    r.stderr,
                    /planning dev in the working tree failed \(a planning error, not a protected change\)/,
                );
                assert.match(r.stderr, /calico\.version/);
                assert.doesNotMatch(r.stdout + r.stderr, /protected object\(s\) would be/);
            } finally {
                repo.git("checkout", "--", "Pulumi.dev.yaml");
            }
        });
    });
});
