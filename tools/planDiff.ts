/**
 * npm run plan:diff -- --stack <name> --base <git ref> [--out <file>] [--guard] [--allow-protected]
 *
 * Plans the stack offline at the base ref (its own code and stack file, from
 * `git archive`) and in the working tree, and prints a Markdown summary for a
 * pull-request comment. With --guard, exits 3 when a protected object would be
 * deleted or replaced, unless --allow-protected (the PR's override label).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPlans, PlanEntry, renderMarkdown } from "../plan/diff";

function usage(msg: string): never {
    process.stderr.write(
        `plan:diff: ${msg}\nusage: npm run plan:diff -- --stack <name> --base <git ref> [--out <file>] [--guard] [--allow-protected]\n`,
    );
    process.exit(2);
}

function args(argv: readonly string[]): {
    stack: string;
    base: string;
    out?: string;
    guard: boolean;
    allowProtected: boolean;
} {
    const o: Record<string, string | boolean> = { guard: false, allowProtected: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--guard") o.guard = true;
        else if (a === "--allow-protected") o.allowProtected = true;
        else if (/^--(stack|base|out)$/.test(a)) {
            const v = argv[++i];
            if (!v || v.startsWith("--")) usage(`${a} needs a value`);
            o[a.slice(2)] = v;
        } else usage(`unknown argument ${a}`);
    }
    if (!o.stack || !o.base) usage("--stack and --base are required");
    return o as { stack: string; base: string; out?: string; guard: boolean; allowProtected: boolean };
}

/** Plans `Pulumi.<stack>.yaml` of the tree at `root` with its own plan tool; [] when the stack file is absent. */
function planTree(root: string, stack: string, out: string): PlanEntry[] {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return [];
    const tool = path.join(root, "tools", "plan.ts");
    if (!fs.existsSync(tool)) throw new Error(`${root} has no tools/plan.ts: the base ref predates the offline plan`);
    const r = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", tool, "--config", file, "--out", out],
        { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`planning ${file} failed:\n${r.stderr}`);
    return JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as PlanEntry[];
}

function main(): void {
    const a = args(process.argv.slice(2));
    const root = process.cwd();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-plan-diff-"));
    try {
        try {
            execFileSync("git", ["rev-parse", "--verify", `${a.base}^{commit}`], { stdio: "ignore" });
        } catch {
            usage(`${a.base} is not a commit here (fetch it first: git fetch origin <branch>)`);
        }
        const baseTree = path.join(tmp, "base");
        fs.mkdirSync(baseTree);
        execFileSync("bash", ["-c", `git archive ${JSON.stringify(a.base)} | tar -x -C ${JSON.stringify(baseTree)}`]);
        fs.symlinkSync(path.join(root, "node_modules"), path.join(baseTree, "node_modules"));
        process.stderr.write(`plan:diff: planning ${a.stack} at ${a.base}\n`);
        const base = planTree(baseTree, a.stack, path.join(tmp, "plan-base"));
        process.stderr.write(`plan:diff: planning ${a.stack} in the working tree\n`);
        const head = planTree(root, a.stack, path.join(tmp, "plan-head"));
        const d = diffPlans(base, head);
        const md = renderMarkdown(d, { stack: a.stack, base: a.base, allowProtected: a.allowProtected });
        if (a.out) fs.writeFileSync(a.out, md);
        process.stdout.write(md);
        if (a.guard && d.protectedHits.length && !a.allowProtected) {
            process.stderr.write(
                `plan:diff: GUARD: ${d.protectedHits.length} protected object(s) would be deleted or replaced; add the allow-protected-change label to override\n`,
            );
            process.exitCode = 3;
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

main();
