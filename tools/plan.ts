/**
 * npm run plan -- --stack <name> | --config <file> [--out <dir>]
 * Plans a stack offline (no Pulumi CLI, no cluster, no credentials) into files a reviewer can diff.
 * Exit codes: plan/cli.ts EXIT.
 */
import * as fs from "fs";
import * as path from "path";
import { loadSettings } from "../settings";
import { rawConfigFromStackFile } from "../settings/sources";
import { writePlan } from "../plan/planner";
import { badInput, EXIT, parseCommandLine, peakRssMiB, runTool, ToolError } from "../plan/cli";

const USAGE = `usage: npm run plan -- --stack <name> | --config <Pulumi.<stack>.yaml> [--out <dir>]
  --stack NAME    plan Pulumi.NAME.yaml of this directory
  --config FILE   plan the stack file FILE (its stack name from Pulumi.<stack>.yaml)
  --out DIR       where to write the plan (default plan-output/<stack>)
exit codes: 0 planned, 1 the stack config has problems, 2 bad arguments, 4 planning failed`;

/** The stack file and stack name the arguments name. */
export function stackOf(args: { stack?: string; config?: string }): { file: string; stack: string } {
    if (!args.stack === !args.config) throw badInput(`give exactly one of --stack and --config\n${USAGE}`);
    if (args.stack !== undefined) {
        const file = `Pulumi.${args.stack}.yaml`;
        if (!fs.existsSync(file)) {
            const known = fs
                .readdirSync(".")
                .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
                .map((f) => f.slice(7, -5));
            throw badInput(`there is no stack ${args.stack} here (no ${file}); stacks: ${known.join(", ") || "none"}`);
        }
        return { file, stack: args.stack };
    }
    const file = args.config ?? "";
    if (!fs.existsSync(file)) throw badInput(`${file} does not exist`);
    const base = path.basename(file);
    return { file, stack: /^Pulumi\.(.+)\.ya?ml$/.exec(base)?.[1] ?? base.replace(/\.ya?ml$/, "") };
}

async function main(): Promise<void> {
    const args = parseCommandLine(USAGE, process.argv.slice(2), {
        stack: { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
    });
    const { file, stack } = stackOf(args);
    const outDir = args.out ?? path.join("plan-output", stack);
    process.stderr.write(`plan: reading ${file}\n`);
    const { raw, problems: fileProblems } = rawConfigFromStackFile(fs.readFileSync(file, "utf8"), file);
    process.stderr.write("plan: validating settings\n");
    const r = loadSettings(raw, { stack, dryRun: true });
    const problems = [...fileProblems, ...(r.ok ? [] : r.problems)];
    if (problems.length || !r.ok) {
        const list = problems.map((p) => `  - ${p}`).join("\n");
        throw new ToolError(`${file} has ${problems.length} problem(s):\n${list}`, EXIT.badConfig);
    }
    const { files } = await writePlan(r.settings, outDir, { progress: (l) => process.stderr.write(`${l}\n`) });
    process.stderr.write(
        `plan: wrote ${outDir}: summary.md, ${files.kubernetes.length} Kubernetes file(s), ` +
            `${files.nodeScripts} node command(s) with ${files.scripts} distinct script(s), ` +
            `${files.resources} resource(s) in resources.jsonl\n`,
    );
    const peak = peakRssMiB();
    if (peak !== undefined) process.stderr.write(`plan: peak-rss-mb=${peak}\n`);
}

if (require.main === module) runTool("plan", main);
