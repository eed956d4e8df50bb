/**
 * npm run plan:diff -- --stack <name> --base <git ref> [--out <file>] [--guard] [--allow-protected]
 * npm run plan:diff -- --base-plan <dir> --head-plan <dir> [--stack <name>] [--out <file>] [--guard] ...
 *
 * Plans the stack offline at the base ref (its own code and stack file, from
 * `git archive`) and in the working tree, and prints a Markdown summary for a
 * pull-request comment. git runs through execFile with arguments, never a
 * shell, and the ref is resolved to a commit first. Or compares two plans
 * already written. Either plan may be of the older layout (one resources.json);
 * both are read one resource at a time (plan/read.ts). Exit codes: plan/cli.ts EXIT.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPlans } from "../plan/diff";
import { renderMarkdown } from "../plan/diffRender";
import { badInput, EXIT, parseCommandLine, runTool, ToolError } from "../plan/cli";
import { layoutOf, readPlans } from "../plan/read";

const USAGE = `usage: npm run plan:diff -- --stack <name> --base <git ref> [--out <file>] [--guard] [--allow-protected]
       npm run plan:diff -- --base-plan <dir> --head-plan <dir> [--stack <name>] [--out <file>] [--guard] [...]
  --stack NAME        the stack to compare (Pulumi.NAME.yaml, in the working tree or at the base)
  --base REF          the git ref to compare with (a branch, tag or commit)
  --base-plan DIR     instead of planning: a plan already written (npm run plan --out DIR), either layout
  --head-plan DIR     and the plan to compare it with
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

/**
 * Plans `Pulumi.<stack>.yaml` of the tree at `root` with its own plan tool into `out`
 * (an empty plan when the stack file is absent). An older tree writes the older layout.
 */
function planTree(root: string, stack: string, out: string, where: string): void {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "resources.jsonl"), "");
        return;
    }
    const tool = path.join(root, "tools", "plan.ts");
    if (!fs.existsSync(tool)) throw badInput(`${where} has no tools/plan.ts: the base ref predates the offline plan`);
    // The tree's own loader: the cached transpiler where the tree has it (plan/register.js), else ts-node.
    const loader = path.join(root, "plan", "register.js");
    const args = ["-r", fs.existsSync(loader) ? loader : "ts-node/register/transpile-only", tool];
    args.push("--config", file, "--out", out);
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) {
        const code = r.status === EXIT.badConfig ? EXIT.badConfig : EXIT.planFailed;
        const tail = (r.stderr ?? "").trim().split("\n").slice(-20).join("\n");
        throw new ToolError(
            `planning ${stack} ${where} failed (a planning error, not a protected change):\n${tail}`,
            code,
        );
    }
}

/** Plans the stack at `base` and in the working tree under `tmp`; returns the two plan directories. */
function planBoth(stack: string, base: string, tmp: string): { baseDir: string; headDir: string } {
    const commit = resolveCommit(base);
    const root = process.cwd();
    const baseTree = path.join(tmp, "base");
    fs.mkdirSync(baseTree);
    extract(commit, baseTree);
    const inHead = fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`));
    if (!inHead && !fs.existsSync(path.join(baseTree, `Pulumi.${stack}.yaml`))) {
        throw badInput(`there is no stack ${stack}: no Pulumi.${stack}.yaml in the working tree or at ${base}`);
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(baseTree, "node_modules"));
    process.stderr.write(`plan:diff: planning ${stack} at ${base} (${commit.slice(0, 12)})\n`);
    const baseDir = path.join(tmp, "plan-base");
    planTree(baseTree, stack, baseDir, `at ${base}`);
    process.stderr.write(`plan:diff: planning ${stack} in the working tree\n`);
    const headDir = path.join(tmp, "plan-head");
    planTree(root, stack, headDir, "in the working tree");
    return { baseDir, headDir };
}

async function main(): Promise<void> {
    const a = parseCommandLine(USAGE, process.argv.slice(2), {
        stack: { type: "string" },
        base: { type: "string" },
        "base-plan": { type: "string" },
        "head-plan": { type: "string" },
        out: { type: "string" },
        guard: { type: "boolean" },
        "allow-protected": { type: "boolean" },
    });
    const given = a["base-plan"] !== undefined || a["head-plan"] !== undefined;
    if (given && (!a["base-plan"] || !a["head-plan"] || a.base))
        throw badInput(`give --base-plan and --head-plan together, without --base\n${USAGE}`);
    if (!given && (!a.stack || !a.base)) throw badInput(`--stack and --base are required\n${USAGE}`);
    for (const dir of [a["base-plan"], a["head-plan"]]) {
        try {
            if (dir) layoutOf(dir);
        } catch (e) {
            throw badInput((e as Error).message);
        }
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-plan-diff-"));
    try {
        const stack = a.stack ?? path.basename(path.resolve(a["head-plan"] ?? "."));
        const base = a.base ?? a["base-plan"] ?? "";
        const { baseDir, headDir } = given
            ? { baseDir: a["base-plan"] ?? "", headDir: a["head-plan"] ?? "" }
            : planBoth(stack, base, tmp);
        const { base: before, head: after } = await readPlans(baseDir, headDir);
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
