/**
 * npm run bench [-- --sizes 3,100,1000,5000] [--diff-sizes 3,100,1000,5000,10000] [--rounds 3]
 *                  [--compare <checkout dir or git ref>] [--out <file>]
 *
 * The offline plan of generated stacks (plan/generate.ts), this tree ("after")
 * beside the SDK-only floor (tools/floor.ts: the same registrations through the
 * SDK, nothing else) and, with --compare, another checkout ("before", e.g. main),
 * interleaved round by round, each run in its own process: wall time, CPU time
 * and peak RSS. Then plan:diff of each stack against itself with a Calico bump,
 * on both checkouts' own plans and tools. Prints one Markdown table (plan/bench.ts).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseCommandLine, runTool, badInput } from "../plan/cli";
import { generatedStackFile } from "../plan/generate";
import { renderTable, Row, Sample, summarize } from "../plan/bench";

const USAGE = `usage: npm run bench -- [--sizes 3,100,1000,5000] [--diff-sizes 3,100,1000,5000,10000] [--rounds 3]
                     [--compare <checkout dir or git ref>] [--out <file>]`;
const ROOT = path.join(__dirname, "..");

interface Checkout {
    readonly root: string;
    /** The tree's own TypeScript loader: its plan/register.js, or ts-node for a tree without one. */
    readonly loader: string;
    /** Whether its plan:diff compares plans already written (--base-plan); else main's diff functions are driven. */
    readonly diffTakesPlans: boolean;
}

function checkoutOf(root: string): Checkout {
    const own = path.join(root, "plan", "register.js");
    const diffTool = fs.readFileSync(path.join(root, "tools", "planDiff.ts"), "utf8");
    return {
        root,
        loader: fs.existsSync(own) ? own : "ts-node/register/transpile-only",
        diffTakesPlans: diffTool.includes("--base-plan"),
    };
}

/** A directory holding the checkout: the directory given, or the git ref extracted (git archive, no shell). */
function compareTree(arg: string, work: string): string {
    let dir = path.resolve(arg);
    if (!fs.existsSync(path.join(dir, "tools", "plan.ts"))) {
        const git = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
        const commit = git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${arg}^{commit}`]);
        dir = path.join(work, `before-${commit.slice(0, 12)}`);
        fs.mkdirSync(dir);
        git(["archive", "--format=tar", "-o", `${dir}.tar`, commit]);
        execFileSync("tar", ["-x", "-f", `${dir}.tar`, "-C", dir]);
    }
    const modules = path.join(dir, "node_modules");
    if (!fs.existsSync(modules)) fs.symlinkSync(path.join(ROOT, "node_modules"), modules);
    return dir;
}

/** Sums a directory's file sizes (apparent bytes). */
function du(dir: string): number {
    let total = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        total += e.isDirectory() ? du(p) : fs.statSync(p).size;
    }
    return total;
}

/** Preloaded into every measured process: its CPU time and peak RSS, written as it exits. */
const PROBE = `const fs = require("fs");
process.on("exit", () => {
    const u = process.cpuUsage();
    const status = fs.existsSync("/proc/self/status") ? fs.readFileSync("/proc/self/status", "utf8") : "";
    const m = /VmHWM:\\s+(\\d+) kB/.exec(status);
    const sample = { cpuMs: (u.user + u.system) / 1000, rssMiB: m ? Number(m[1]) / 1024 : undefined };
    fs.writeFileSync(process.env.F2C_BENCH_PROBE, JSON.stringify(sample));
});
`;
/** For a checkout whose plan:diff cannot take plans: its own diff functions on its plans, as its tool calls them. */
const OLD_DIFF = `const fs = require("fs"), path = require("path");
const [root, base, head] = process.argv.slice(2);
const { diffPlans } = require(path.join(root, "plan", "diff"));
const { renderMarkdown } = require(path.join(root, "plan", "diffRender"));
const read = (d) => JSON.parse(fs.readFileSync(path.join(d, "resources.json"), "utf8"));
process.stdout.write(renderMarkdown(diffPlans(read(base), read(head)), { stack: "bench", base: "base" }));
`;

let work = "";
function measure(c: Checkout, args: string[]): { sample: Sample; stdout: string; stderr: string } {
    const probeOut = path.join(work, "probe.json");
    fs.rmSync(probeOut, { force: true });
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-r", c.loader, "-r", path.join(work, "probe.js"), ...args], {
        cwd: c.root,
        env: { ...process.env, F2C_BENCH_PROBE: probeOut },
        encoding: "utf8",
        maxBuffer: 1 << 28,
    });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const probe = fs.existsSync(probeOut) ? (JSON.parse(fs.readFileSync(probeOut, "utf8")) as Partial<Sample>) : {};
    const lines = (r.stderr ?? "").trim().split("\n");
    const why = lines.find((l) => /\b\w*Error\b/.test(l)) ?? lines.slice(-1)[0];
    const failed = r.status === 0 ? undefined : `exit ${r.status ?? r.signal}: ${why.trim()}`;
    return {
        sample: { wallMs, ...probe, ...(failed ? { failed } : {}) },
        stdout: r.stdout ?? "",
        stderr: r.stderr ?? "",
    };
}

const plan = (c: Checkout, stackFile: string, out: string) =>
    measure(c, [path.join(c.root, "tools", "plan.ts"), "--config", stackFile, "--out", out]);
const floor = (planDir: string, window?: number) =>
    measure(checkoutOf(ROOT), [
        path.join(ROOT, "tools", "floor.ts"),
        "--plan",
        planDir,
        ...(window ? ["--window", String(window)] : []),
    ]);
function diff(c: Checkout, base: string, head: string) {
    if (!c.diffTakesPlans) return measure(c, [path.join(work, "old-diff.js"), c.root, base, head]);
    const tool = path.join(c.root, "tools", "planDiff.ts");
    return measure(c, [tool, "--base-plan", base, "--head-plan", head, "--stack", "bench"]);
}

function log(line: string): void {
    process.stderr.write(`bench: ${line}\n`);
}

/** Plan runs of one size: a warm-up of each (kept for the floor and the diff), then rounds in rotating order. */
function benchSize(n: number, o: Options, withPlan: boolean): Row {
    const dir = path.join(work, String(n));
    fs.mkdirSync(dir);
    const stack = (v: string) => {
        const f = path.join(dir, `Pulumi.bench-${n}-${v}.yaml`);
        fs.writeFileSync(f, generatedStackFile(n, v));
        return f;
    };
    const [base, head] = [stack("v3.26.5"), stack("v3.32.1")];
    const out = (who: string, what: string) => path.join(dir, `${who}-${what}`);
    log(`${n} nodes: planning (warm-up)`);
    const warm = plan(o.after, base, out("after", "base"));
    if (warm.sample.failed) throw new Error(`the plan of ${n} nodes failed: ${warm.stderr.slice(-2000)}`);
    const resources = Number(/(\d+) resource\(s\)/.exec(warm.stderr)?.[1]);
    const before = o.before && plan(o.before, base, out("before", "base"));
    const samples: Record<"after" | "floor" | "floor64" | "before", Sample[]> = {
        after: [],
        floor: [],
        floor64: [],
        before: [],
    };
    const jobs: [keyof typeof samples, () => Sample][] = [
        ["after", () => plan(o.after, base, out("after", "scratch")).sample],
        ["floor", () => floor(out("after", "base")).sample],
        ["floor64", () => floor(out("after", "base"), 64).sample],
    ];
    const b = o.before;
    if (b) jobs.push(["before", () => plan(b, base, out("before", "scratch")).sample]);
    for (let round = 0; withPlan && round < o.rounds; round++) {
        for (let j = 0; j < jobs.length; j++) {
            const [who, job] = jobs[(j + round) % jobs.length];
            samples[who].push(job());
            log(`${n} nodes, round ${round + 1}: ${who} ${(samples[who].slice(-1)[0].wallMs / 1000).toFixed(1)} s`);
        }
    }
    const row: Row = {
        nodes: n,
        resources,
        plan: withPlan
            ? {
                  after: summarize(samples.after),
                  floor: summarize(samples.floor),
                  floor64: summarize(samples.floor64),
                  before: o.before && summarize(samples.before),
              }
            : { after: summarize([warm.sample]), before: before ? summarize([before.sample]) : undefined },
        bytes: {
            after: du(out("after", "base")),
            before: before && !before.sample.failed ? du(out("before", "base")) : undefined,
        },
        diff: {},
    };
    if (!o.diffSizes.includes(n)) return row;
    log(`${n} nodes: planning the Calico bump for the diff`);
    plan(o.after, head, out("after", "head"));
    const beforeHead = o.before && !before?.sample.failed ? plan(o.before, head, out("before", "head")) : undefined;
    const diffs: Record<"after" | "before", Sample[]> = { after: [], before: [] };
    for (let round = 0; round < o.rounds; round++) {
        diffs.after.push(diff(o.after, out("after", "base"), out("after", "head")).sample);
        if (o.before && before && !before.sample.failed && beforeHead && !beforeHead.sample.failed)
            diffs.before.push(diff(o.before, out("before", "base"), out("before", "head")).sample);
        else if (o.before) diffs.before.push({ wallMs: 0, failed: before?.sample.failed ?? beforeHead?.sample.failed });
    }
    let crossLayout: string | undefined;
    if (o.before && before && !before.sample.failed) {
        const cross = diff(o.after, out("before", "base"), out("after", "base"));
        crossLayout = cross.sample.failed
            ? `fails (${cross.sample.failed})`
            : /No changes\./.test(cross.stdout)
              ? "No changes"
              : "CHANGES";
    }
    log(`${n} nodes: diff done`);
    fs.rmSync(dir, { recursive: true, force: true });
    return {
        ...row,
        diff: { after: summarize(diffs.after), before: o.before && summarize(diffs.before) },
        crossLayout,
    };
}

interface Options {
    readonly sizes: number[];
    readonly diffSizes: number[];
    readonly rounds: number;
    readonly after: Checkout;
    readonly before?: Checkout;
}

const numbers = (s: string | undefined, d: number[]) =>
    s === undefined
        ? d
        : s
              .split(",")
              .map(Number)
              .filter((n) => Number.isInteger(n) && n > 0);

async function main(): Promise<void> {
    const a = parseCommandLine(USAGE, process.argv.slice(2), {
        sizes: { type: "string" },
        "diff-sizes": { type: "string" },
        rounds: { type: "string" },
        compare: { type: "string" },
        out: { type: "string" },
    });
    const sizes = numbers(a.sizes, [3, 100, 1000, 5000]);
    const diffSizes = numbers(a["diff-sizes"], [3, 100, 1000, 5000, 10000]);
    const rounds = Number(a.rounds ?? 3);
    if (!(rounds >= 1)) throw badInput(`--rounds must be 1 or more\n${USAGE}`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-bench-"));
    try {
        fs.writeFileSync(path.join(work, "probe.js"), PROBE);
        fs.writeFileSync(path.join(work, "old-diff.js"), OLD_DIFF);
        const before = a.compare ? checkoutOf(compareTree(a.compare, work)) : undefined;
        const o: Options = { sizes, diffSizes, rounds, after: checkoutOf(ROOT), before };
        const all = [...new Set([...sizes, ...diffSizes])].sort((x, y) => x - y);
        const rows = all.map((n) => benchSize(n, o, sizes.includes(n)));
        const table = renderTable(rows, { before: a.compare, rounds });
        if (a.out) fs.writeFileSync(a.out, table);
        process.stdout.write(table);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) runTool("bench", main);
