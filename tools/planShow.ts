/**
 * npm run plan:show -- --plan <dir> --node <name> | --resource <name> [--input <name>]
 * Prints a node's commands from an offline plan with the exact text of each script as sent.
 * Exit codes: plan/cli.ts EXIT.
 */
import * as fs from "fs";
import * as path from "path";
import { badInput, parseCommandLine, runTool } from "../plan/cli";
import { layoutOf, planEntries, ScriptTexts } from "../plan/read";
import { inputText, showEntry } from "../plan/show";
import { NODE_INDEX } from "../plan/store";
import { lines } from "../plan/stream";

const USAGE = `usage: npm run plan:show -- --plan <dir> --node <name> | --resource <name> [--input <name>]
  --plan DIR        a plan written by npm run plan (e.g. plan-output/dev)
  --node NAME       every command of node NAME in order, each script as the exact text sent
  --resource NAME   one resource by name (e.g. calico-network-guard, <node>-preflight)
  --input NAME      with --resource: only the exact text of that input (create, update, delete), nothing else
exit codes: 0 shown, 2 bad arguments (no such plan, node, resource or input)`;

/** The steps of `node` in the plan's nodes/index.tsv, in order. */
async function stepsOf(dir: string, node: string): Promise<string[]> {
    const steps: string[] = [];
    for await (const line of lines(path.join(dir, NODE_INDEX))) {
        const [n, step] = line.split("\t");
        if (n === node && !line.startsWith("#") && !steps.includes(step)) steps.push(step);
    }
    return steps;
}

function textOf(...args: Parameters<typeof inputText>): string {
    try {
        return inputText(...args);
    } catch (e) {
        throw badInput((e as Error).message);
    }
}

async function main(): Promise<void> {
    const a = parseCommandLine(USAGE, process.argv.slice(2), {
        plan: { type: "string" },
        node: { type: "string" },
        resource: { type: "string" },
        input: { type: "string" },
    });
    if (!a.plan || !a.node === !a.resource) throw badInput(`give --plan and one of --node and --resource\n${USAGE}`);
    if (a.input && !a.resource) throw badInput(`--input goes with --resource\n${USAGE}`);
    const dir = a.plan;
    if (!fs.existsSync(dir)) throw badInput(`${dir} does not exist`);
    let layout;
    try {
        layout = layoutOf(dir);
    } catch (e) {
        throw badInput((e as Error).message);
    }
    if (layout !== "jsonl") throw badInput(`${dir} is a plan of the older layout: its scripts are in nodes/<node>/`);
    let names: Set<string>;
    if (a.node) {
        const steps = await stepsOf(dir, a.node);
        if (!steps.length) throw badInput(`${dir}/${NODE_INDEX} has no node ${a.node}`);
        names = new Set(steps.map((s) => `${a.node}-${s}`));
    } else names = new Set([a.resource ?? ""]);
    const texts = new ScriptTexts(dir);
    let shown = 0;
    for await (const e of planEntries(dir)) {
        if (!names.has(e.name)) continue;
        shown++;
        if (a.input) process.stdout.write(textOf(e, a.input, texts));
        else process.stdout.write(`${shown > 1 ? "\n" : ""}${showEntry(e, texts)}`);
    }
    if (!shown) throw badInput(`${dir} has no resource ${a.resource}`);
}

if (require.main === module) runTool("plan:show", main);
