/**
 * The SDK-only floor for npm run bench: `node tools/floor.ts --plan <dir>`
 * registers the plan's resources again through the SDK under the plan's
 * mocks (plan/replay.ts) and reports how long registering took, apart from
 * reading the plan, and the process's peak memory.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseCommandLine, peakRssMiB, runTool, badInput } from "../plan/cli";
import { PLAN_MOCKS, settled, withoutStackTraces } from "../plan/monitor";
import { readPlan, ScriptTexts } from "../plan/read";
import { replay, ReplayEntry } from "../plan/replay";

const USAGE = `usage: node -r ./plan/register.js tools/floor.ts --plan <dir> [--window N]
  --plan DIR    a plan written by npm run plan (this layout)
  --window N    at most N resources registering at once (default: no bound but the gates)`;

async function main(): Promise<void> {
    const a = parseCommandLine(USAGE, process.argv.slice(2), { plan: { type: "string" }, window: { type: "string" } });
    if (!a.plan) throw badInput(USAGE);
    const t0 = Date.now();
    const entries = (await readPlan(a.plan)) as ReplayEntry[];
    const texts = new ScriptTexts(a.plan);
    // urn:pulumi:<stack>::<project>::...
    const [stack, project] = (entries[0]?.urn ?? "urn:pulumi:x::x").slice("urn:pulumi:".length).split("::");
    const t1 = Date.now();
    await pulumi.runtime.setMocks(PLAN_MOCKS, project, stack, true);
    const n = await withoutStackTraces(async () => {
        const count = await replay(entries, texts, { project, window: a.window ? Number(a.window) : undefined });
        await settled();
        return count;
    });
    const t2 = Date.now();
    process.stderr.write(`floor: ${n} resource(s) registered\nfloor: read-ms=${t1 - t0} register-ms=${t2 - t1}\n`);
    const peak = peakRssMiB();
    if (peak !== undefined) process.stderr.write(`floor: peak-rss-mb=${peak}\n`);
}

if (require.main === module) runTool("floor", main);
