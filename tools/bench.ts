/**
 * npm run bench: offline plan time and peak memory for generated stacks of
 * 3, 100, 1000 and 5000 nodes. Each size runs in its own process so peak
 * memory is that plan's own. Usage: npm run bench [-- 3 100 1000 5000]
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generatedStackFile } from "../plan/generate";

const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
const NODES = sizes.length ? sizes : [3, 100, 1000, 5000];

function du(dir: string): number {
    let total = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        total += e.isDirectory() ? du(p) : fs.statSync(p).size;
    }
    return total;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-bench-"));
const rows: string[] = ["| nodes | resources | wall time | peak RSS | plan on disk |", "|---:|---:|---:|---:|---:|"];
try {
    for (const n of NODES) {
        const file = path.join(work, `Pulumi.bench-${n}.yaml`);
        fs.writeFileSync(file, generatedStackFile(n));
        const out = path.join(work, `plan-${n}`);
        const t0 = Date.now();
        // GNU time's %M would need the `time` package;
        // /proc/self/status VmHWM of the child is read by a wrapper instead.
        const wrapper = `const { spawnSync } = require("child_process");
const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", ${JSON.stringify(path.join(__dirname, "plan.ts"))}, "--config", ${JSON.stringify(file)}, "--out", ${JSON.stringify(out)}], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
process.stdout.write(JSON.stringify({ status: r.status, stderr: r.stderr }));`;
        const probe = `${wrapper}`;
        const res = JSON.parse(
            execFileSync(process.execPath, ["-e", probe], { encoding: "utf8", maxBuffer: 64 << 20 }),
        ) as { status: number; stderr: string };
        const ms = Date.now() - t0;
        if (res.status !== 0) {
            process.stderr.write(res.stderr);
            throw new Error(`plan of ${n} nodes failed`);
        }
        const peak = /peak-rss-mb=(\d+)/.exec(res.stderr)?.[1] ?? "?";
        const resources = /(\d+) resource\(s\)/.exec(res.stderr)?.[1] ?? "?";
        rows.push(
            `| ${n} | ${resources} | ${(ms / 1000).toFixed(1)} s | ${peak} MiB | ${(du(out) / (1 << 20)).toFixed(1)} MiB |`,
        );
        process.stderr.write(`bench: ${n} nodes done in ${(ms / 1000).toFixed(1)} s\n`);
        fs.rmSync(out, { recursive: true, force: true });
    }
} finally {
    fs.rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${rows.join("\n")}\n`);
