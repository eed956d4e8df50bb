/**
 * npm run plan -- --stack <name> | --config <file> [--out <dir>]
 * Plans a stack offline (no Pulumi CLI, no cluster, no credentials) into files a reviewer can diff.
 */
import * as fs from "fs";
import * as path from "path";
import { loadSettings } from "../settings";
import { rawConfigFromStackFile } from "../settings/sources";
import { writePlan } from "../plan/planner";

function usage(msg?: string): never {
    if (msg) process.stderr.write(`plan: ${msg}\n`);
    process.stderr.write("usage: npm run plan -- --stack <name> | --config <Pulumi.<stack>.yaml> [--out <dir>]\n");
    process.exit(2);
}

export function parseArgs(argv: readonly string[]): { stack?: string; config?: string; out?: string } {
    const out: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const m = /^--(stack|config|out)(?:=(.*))?$/.exec(a);
        if (!m) usage(`unknown argument ${a}`);
        const v = m[2] ?? argv[++i];
        if (v === undefined || v.startsWith("--")) usage(`--${m[1]} needs a value`);
        out[m[1]] = v;
    }
    return out;
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    if (!args.stack === !args.config) usage("give exactly one of --stack and --config");
    const file = args.config ?? `Pulumi.${args.stack}.yaml`;
    const stack =
        args.stack ??
        /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ??
        path.basename(file).replace(/\.ya?ml$/, "");
    const outDir = args.out ?? path.join("plan-output", stack);
    process.stderr.write(`plan: reading ${file}\n`);
    if (!fs.existsSync(file)) usage(`${file} does not exist`);
    const { raw, problems: fileProblems } = rawConfigFromStackFile(fs.readFileSync(file, "utf8"), file);
    process.stderr.write("plan: validating settings\n");
    const r = loadSettings(raw, { stack, dryRun: true });
    const problems = [...fileProblems, ...(r.ok ? [] : r.problems)];
    if (problems.length || !r.ok) {
        process.stderr.write(
            `plan: ${file} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
        );
        process.exit(1);
    }
    const { files } = await writePlan(r.settings, outDir, { progress: (l) => process.stderr.write(`${l}\n`) });
    process.stderr.write(
        `plan: wrote ${outDir}: summary.md, ${files.kubernetes.length} Kubernetes file(s), ${files.nodes.length} node script(s), ${files.resources} resource(s) in resources.json\n`,
    );
    // Peak resident memory of this process (Linux), for npm run bench.
    const hwm = /VmHWM:\s+(\d+) kB/.exec(
        fs.existsSync("/proc/self/status") ? fs.readFileSync("/proc/self/status", "utf8") : "",
    );
    if (hwm) process.stderr.write(`plan: peak-rss-mb=${Math.round(Number(hwm[1]) / 1024)}\n`);
}

main().catch((e) => {
    process.stderr.write(`plan: failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
