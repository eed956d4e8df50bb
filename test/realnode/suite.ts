/**
 * What the real-node test files share: the skip rule (a skip is a failure
 * under F2C_REQUIRE_HOST_TESTS=1, as for the host tests), running the six
 * rendered steps on a node over SSH, and a node's stack settings.
 */
import { realNodeSupport } from "./host";
import { RealFleet } from "./fleet";
import { RealNode } from "./node";
import {
    NodeRunError,
    preflightImages,
    RunResult,
    runStep,
    Settings,
    stackSettings,
    StepName,
    stepScripts,
    STEPS,
} from "./project";

const support = realNodeSupport();
const required = process.env.F2C_REQUIRE_HOST_TESTS === "1";

/** Call first in a `before`: skips loudly, or fails when CI requires these tests. */
export function requireRealNodes(ctx: Mocha.Context): void {
    if (support.ok) return;
    const msg = `REAL-NODE TESTS SKIPPED: ${support.why}`;
    process.stderr.write(`\n!!! ${msg} !!!\n\n`);
    if (required) throw new Error(`${msg} (F2C_REQUIRE_HOST_TESTS=1: CI must run them)`);
    ctx.skip();
}

/** The local registry every node serves on 127.0.0.1:5000: the stack's image mirror points at it. */
export const REGISTRY = "127.0.0.1:5000";
/** Stack overrides for a node on Kubernetes 1.26 (Calico v3.26.5). */
export const MODERN = {
    cluster: { kubernetesVersion: "1.26.3" },
    calico: { version: "v3.26.5", imageRegistry: REGISTRY },
};
export const TUTORIAL = { calico: { version: "v3.8.9", imageRegistry: REGISTRY } };

export interface StepRun extends RunResult {
    readonly step: StepName;
}

/** A node with its stack settings and rendered steps, its registry filled with the stack's images. */
export interface Prepared {
    readonly node: RealNode;
    readonly s: Settings;
    readonly scripts: string[];
}
export async function prepare(
    fleet: RealFleet,
    node: RealNode,
    extra: Record<string, unknown>,
    opts: { seed?: boolean } = {},
): Promise<Prepared> {
    const s = stackSettings([node], fleet.privateKey, extra);
    const scripts = await stepScripts(s, node.name);
    const images = preflightImages(scripts[0]);
    if (images.length && opts.seed !== false) node.seedRegistry(images);
    return { node, s, scripts };
}

/**
 * A rendered script with some of its constants (`NAME=value` lines, such as
 * apply's DOCKER_API_TIMEOUT) set otherwise, so a fault test need not wait the
 * production timeout; fails when a constant is not in the script.
 */
export function withConstants(script: string, values: Record<string, string | number>): string {
    let out = script;
    for (const [k, v] of Object.entries(values)) {
        const re = new RegExp(`^${k}=\\S*$`, "m");
        if (!re.test(out)) throw new Error(`the script sets no ${k}`);
        out = out.replace(re, `${k}=${v}`);
    }
    return out;
}

/** Runs step i over SSH and kills the SSH client after `ms`; returns the ms it ran. Fails if the step ended first. */
export function runKilled(p: Prepared, i: number, ms: number): number {
    const t0 = Date.now();
    let r: RunResult | undefined;
    try {
        r = runStep(p.s, p.node.name, p.scripts[i], ms);
    } catch (e) {
        if (!(e instanceof NodeRunError)) throw e;
    }
    if (r && r.code !== -1) throw new Error(`${STEPS[i]} ended (exit ${r.code}) before its session was killed`);
    return Date.now() - t0;
}

/**
 * Runs the steps in order over SSH, stopping after the first that fails (as
 * the engine would: each step depends on the one before). `from`/`to` select
 * a part of the six.
 */
export function runSteps(p: Prepared, from = 0, to: number = STEPS.length): StepRun[] {
    const out: StepRun[] = [];
    for (let i = from; i < to; i++) {
        const r = runStep(p.s, p.node.name, p.scripts[i]);
        out.push({ ...r, step: STEPS[i] });
        if (r.code !== 0) break;
    }
    return out;
}

/** Steps that did not exit 0, with their output, for an assertion message. */
export function failures(runs: readonly StepRun[]): string {
    return (
        runs
            .filter((r) => r.code !== 0)
            .map((r) => `${r.step} exited ${r.code}:\n${r.stdout}${r.stderr}`)
            .join("\n") +
        (runs.length < STEPS.length ? `\n(stopped after ${runs.length} of ${STEPS.length} steps)` : "")
    );
}

export const timesLine = (runs: readonly StepRun[]) =>
    `${runs.map((r) => `${r.step} ${r.ms} ms`).join(", ")}; total ${runs.reduce((a, r) => a + r.ms, 0)} ms`;
export const note = (line: string) => process.stderr.write(`      ${line}\n`);

/**
 * A fleet for the enclosing describe: created in its `before` (skipping, or failing in CI, where real
 * nodes cannot run), destroyed in its `after`, with the suite's time noted. Call it inside `describe`.
 */
export function useFleet(what: string): () => RealFleet {
    let fleet: RealFleet | undefined;
    let t0 = Date.now();
    before(async function () {
        requireRealNodes(this);
        t0 = Date.now();
        fleet = await RealFleet.create();
    });
    after(async () => {
        await fleet?.destroy();
        note(`real-node ${what} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
    return () => {
        if (!fleet) throw new Error("the real-node fleet was not created (see the before hook)");
        return fleet;
    };
}
