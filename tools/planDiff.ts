/**
 * npm run plan:diff -- --stack <name> --base <git ref> [--out <file>] [--guard] [--allow-protected]
 *
 * Plans the stack offline at the base ref (its own code and stack file, from
 * `git archive`) and in the working tree, and prints a Markdown summary for a
 * pull-request comment. git runs through execFile with arguments, never a
 * shell, and the ref is resolved to a commit first. Exit codes: plan/cli.ts EXIT.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPlans, PlanEntry } from "../plan/diff";
import { renderMarkdown } from "../plan/diffRender";
import { badInput, EXIT, parseCommandLine, runTool, ToolError } from "../plan/cli";

const USAGE = `usage: npm run plan:diff -- --stack <name> --base <git ref> [--out <file>] [--guard] [--allow-protected]
  --stack NAME        the stack to compare (Pulumi.NAME.yaml, in the working tree or at the base)
  --base REF          the git ref to compare with (a branch, tag or commit)
  --out FILE          also write the Markdown to FILE
  --guard             exit 3 when a protected object would be deleted or replaced
  --allow-protected   with --guard: report, but do not fail (the pull request's override label)
exit codes: 0 compared, 1 a stack config has problems, 2 bad arguments, 3 guard tripped, 4 planning failed`;

const git = (args: string[], cwd?: string) =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The commit a ref names; a bad or hostile ref is an error, never a command. */
export function resolveCommit(ref: string): string {
    try {
        return git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]).trim();
    } catch {
        throw badInput(`${JSON.stringify(ref)} is not a commit here (fetch it first: git fetch origin <branch>)`);
    }
}

/** Extracts the tree of `commit` into `dir` (git archive, then tar; no shell). */
function extract(commit: string, dir: string): void {
    const tarball = path.join(dir, "..", "base.tar");
    git(["archive", "--format=tar", "-o", tarball, commit]);
    execFileSync("tar", ["-x", "-f", tarball, "-C", dir]);
}

/** Plans `Pulumi.<stack>.yaml` of the tree at `root` with its own plan tool; [] when the stack file is absent. */
function planTree(root: string, stack: string, out: string, where: string): PlanEntry[] {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return [];
    const tool = path.join(root, "tools", "plan.ts");
    if (!fs.existsSync(tool)) throw badInput(`${where} has no tools/plan.ts: the base ref predates the offline plan`);
    const args = ["-r", "ts-node/register/transpile-only", tool, "--config", file, "--out", out];
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) {
        const code = r.status === EXIT.badConfig ? EXIT.badConfig : EXIT.planFailed;
        const tail = (r.stderr ?? "").trim().split("\n").slice(-20).join("\n");
        throw new ToolError(
            `planning ${stack} ${where} failed (a planning error, not a protected change):\n${tail}`,
            code,
        );
    }
    return JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as PlanEntry[];
}

async function main(): Promise<void> {
    const a = parseCommandLine(USAGE, process.argv.slice(2), {
        stack: { type: "string" },
        base: { type: "string" },
        out: { type: "string" },
        guard: { type: "boolean" },
        "allow-protected": { type: "boolean" },
    });
    if (!a.stack || !a.base) throw badInput(`--stack and --base are required\n${USAGE}`);
    const { stack, base } = { stack: a.stack, base: a.base };
    const commit = resolveCommit(base);
    const root = process.cwd();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-plan-diff-"));
    try {
        const baseTree = path.join(tmp, "base");
        fs.mkdirSync(baseTree);
        extract(commit, baseTree);
        const inHead = fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`));
        if (!inHead && !fs.existsSync(path.join(baseTree, `Pulumi.${stack}.yaml`))) {
            throw badInput(`there is no stack ${stack}: no Pulumi.${stack}.yaml in the working tree or at ${base}`);
        }
        fs.symlinkSync(path.join(root, "node_modules"), path.join(baseTree, "node_modules"));
        process.stderr.write(`plan:diff: planning ${stack} at ${base} (${commit.slice(0, 12)})\n`);
        const before = planTree(baseTree, stack, path.join(tmp, "plan-base"), `at ${base}`);
        process.stderr.write(`plan:diff: planning ${stack} in the working tree\n`);
        const after = planTree(root, stack, path.join(tmp, "plan-head"), "in the working tree");
        const d = diffPlans(before, after);
        const allowProtected = a["allow-protected"] === true;
        const md = renderMarkdown(d, { stack, base, allowProtected });
        if (a.out) fs.writeFileSync(a.out, md);
        process.stdout.write(md);
        if (a.guard && d.guard.length && !allowProtected) {
            throw new ToolError(
                `GUARD: ${d.guard.length} change(s) would delete or replace a protected object or the provider; ` +
                    "add the allow-protected-change label to override",
                EXIT.guardTripped,
            );
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

if (require.main === module) runTool("plan:diff", main);
