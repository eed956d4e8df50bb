/**
 * Every import of project code the real-node harness and its tests use, in
 * one place: after the source tree moves (components/ -> nodes/, settings/,
 * ...), only this file needs re-pointing.
 */
import * as assert from "assert";
import { Secret } from "../../settings/secret";
import { Settings } from "../../settings";
import { NodeConnection, nodeConnection } from "../../nodes/connection";
import { renderStepScript, shq } from "../../nodes/render";
import { STEPS, StepName } from "../../nodes/steps";
import { buildSettings } from "../helpers/mocks";
import { settingsOf } from "../helpers/config";
import { runOnNode, RunResult, NodeRunError } from "../helpers/runner";

export {
    Secret,
    NodeConnection,
    nodeConnection,
    renderStepScript,
    shq,
    STEPS,
    StepName,
    runOnNode,
    RunResult,
    NodeRunError,
};
export type { Settings };

/** A node as the stack config names it. */
export interface StackNode {
    readonly name: string;
    readonly address: string;
    readonly hostKey: string;
}

/** The tutorial's stack config with these nodes and SSH key, plus overrides (cluster, calico, ...). */
export function stackSettings(
    nodes: readonly StackNode[],
    privateKey: string,
    extra: Record<string, unknown> = {},
): Settings {
    return settingsOf(
        {
            ssh: { user: "root", privateKey: new Secret(privateKey), perDialTimeout: 3, dialErrorLimit: 1 },
            nodes: nodes.map((n) => ({ name: n.name, address: n.address, hostKey: n.hostKey })),
            ...extra,
        },
        { stack: "realnode", dryRun: false },
    );
}

/**
 * The six step scripts of a node exactly as the component registers them
 * (what `pulumi up` sends and the plan writes), in step order.
 */
export async function stepScripts(s: Settings, node: string): Promise<string[]> {
    const { migration } = await buildSettings(s);
    return STEPS.map((step) => migration.nodes.stepScript(node, step));
}

/** The images a stack pulls in preflight (registry mirror applied), read from the rendered preflight. */
export function preflightImages(preflight: string): string[] {
    const m = /^IMAGES='([^']*)'$/m.exec(preflight);
    return m && m[1] ? m[1].split(" ") : [];
}

/** Runs one rendered step on a node over real SSH (the project's runner). */
export function runStep(s: Settings, node: string, script: string, timeoutMs = 120000): RunResult {
    const n = s.nodes.find((x) => x.name === node);
    assert.ok(n, `node ${node} is not in the stack`);
    return runOnNode(node, nodeConnection(s.ssh, n), script, timeoutMs);
}
