/**
 * Switching to or from vxlan on a live cluster (calico/modeSwitch.ts): the
 * staged order passes, a one-step switch is refused by the guard at `pulumi up`
 * with the procedure in its message. The guard's script runs here for real.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { guardScript, networkState, NetworkState, stateText, switchProblem } from "../../calico/modeSwitch";
import { NetworkMode } from "../../settings";
import { Registration } from "../../plan/monitor";
import { DIR, object, planned, rawFor } from "./matrix";
import { build, byName } from "../helpers/mocks";

const V38 = { major: 3, minor: 8 };
const V326 = { major: 3, minor: 26 };
type Step = { mode: NetworkMode; t: boolean };
const state = (v: typeof V38, s: Step) => networkState(v, s.mode, s.t);

/** Runs the guard for `next` as the command provider would at an update after `prev`. */
function runGuard(prev: string | undefined, next: NetworkState): { code: number; stdout: string; stderr: string } {
    const env = { ...process.env, ...(prev !== undefined ? { PULUMI_COMMAND_STDOUT: prev } : {}) };
    if (prev === undefined) delete env.PULUMI_COMMAND_STDOUT;
    const r = spawnSync("/bin/sh", ["-c", guardScript(next)], { env, encoding: "utf8" });
    return { code: r.status ?? -1, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** Every step of `path` is allowed, by the rule and by the guard's script. */
function walk(v: typeof V38, path: Step[]): void {
    for (let i = 1; i < path.length; i++) {
        const [prev, next] = [state(v, path[i - 1]), state(v, path[i])];
        assert.strictEqual(switchProblem(prev, next), undefined, `${stateText(prev)} -> ${stateText(next)}`);
        const r = runGuard(stateText(prev), next);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stdout, stateText(next));
    }
}

describe("switching to or from vxlan", () => {
    for (const [name, v] of [
        ["v3.8.9", V38],
        ["v3.26.5 / v3.32.1", V326],
    ] as const) {
        it(`${name}: one pulumi up from ipip to vxlan (and back) is refused with the procedure`, () => {
            for (const [from, to] of [
                ["ipip", "vxlan"],
                ["vxlan", "ipip"],
                ["bgp", "vxlan"],
                ["vxlan", "crossSubnet"],
            ] as const) {
                const [prev, next] = [state(v, { mode: from, t: false }), state(v, { mode: to, t: false })];
                const why = switchProblem(prev, next);
                assert.match(String(why), /refuses this network\.mode switch/);
                assert.match(
                    String(why),
                    /network\.vxlanTransition: true.*set the new network\.mode.*remove network\.vxlanTransition/,
                );
                const r = runGuard(stateText(prev), next);
                assert.strictEqual(r.code, 1);
                assert.strictEqual(r.stderr.trim(), why);
                assert.strictEqual(r.stdout, "", "nothing recorded: the state stays the last applied one");
            }
        });
        for (const target of ["ipip", "bgp", "crossSubnet"] as const)
            it(`${name}: the staged order passes, ${target} -> vxlan -> ${target}`, () => {
                walk(v, [
                    { mode: target, t: false },
                    { mode: target, t: true },
                    { mode: "vxlan", t: true },
                    { mode: "vxlan", t: false },
                    { mode: "vxlan", t: true },
                    { mode: target, t: true },
                    { mode: target, t: false },
                ]);
            });
    }
    it("v3.8.9: skipping stage 1 is refused (Felix would not have VXLAN on while calico-node rolls)", () => {
        const why = switchProblem(state(V38, { mode: "ipip", t: false }), state(V38, { mode: "vxlan", t: true }));
        assert.match(String(why), /refuses/);
        // From v3.23 Felix follows the pools, so stage 1 changes nothing and may be merged into stage 2.
        assert.strictEqual(
            switchProblem(state(V326, { mode: "ipip", t: false }), state(V326, { mode: "vxlan", t: true })),
            undefined,
        );
    });
    it("switches among ipip, bgp and crossSubnet, and a version upgrade, pass", () => {
        walk(V38, [
            { mode: "ipip", t: false },
            { mode: "bgp", t: false },
            { mode: "crossSubnet", t: false },
        ]);
        assert.strictEqual(
            switchProblem(state(V38, { mode: "vxlan", t: false }), state(V326, { mode: "vxlan", t: false })),
            undefined,
        );
    });
    it("the first run records the state, and an unknown previous text is let through with a warning", () => {
        const next = state(V326, { mode: "ipip", t: false });
        assert.deepStrictEqual(
            [runGuard(undefined, next).code, runGuard(undefined, next).stdout],
            [0, stateText(next)],
        );
        const r = runGuard("something else", next);
        assert.strictEqual(r.code, 0);
        assert.match(r.stderr, /unknown previous network state, not checked: something else/);
    });

    describe("in the plan", () => {
        before(function () {
            if (!fs.existsSync(DIR)) this.skip();
        });
        it("every Calico object waits for the guard", async () => {
            const regs = await planned("v3.26.5", "ipip");
            const guard = byName(regs, "command:local:Command", "calico-network-guard");
            assert.strictEqual(guard.inputs.addPreviousOutputInEnv, true);
            assert.strictEqual(guard.inputs.create, guard.inputs.update);
            const crds = regs.filter((r) => r.custom && r.inputs.kind === "CustomResourceDefinition");
            for (const r of [...crds, object(regs, "ConfigMap", "calico-config")])
                assert.ok(r.dependsOn.includes(guard.urn), r.name);
        });
        for (const version of ["v3.8.9", "v3.26.5"] as const)
            it(`${version}: stage 2 changes only the pool; stages 1 and 3 roll calico-node, not the pool`, async () => {
                const stage = async (mode: NetworkMode, vxlanTransition: boolean) =>
                    (await build(rawFor(version, mode, false, { network: { vxlanTransition } }))).regs;
                const changed = (a: Registration[], b: Registration[]) =>
                    b
                        // The network check's Job re-runs on any network change; Calico's objects are what is asked.
                        .filter(
                            (r) =>
                                r.custom && r.type.startsWith("kubernetes:") && !r.parent.endsWith("::network-check"),
                        )
                        .filter(
                            (r) => JSON.stringify(a.find((x) => x.urn === r.urn)?.inputs) !== JSON.stringify(r.inputs),
                        )
                        .map((r) => String(r.inputs.kind));
                const [s0, s1, s2, s3] = [
                    await stage("ipip", false),
                    await stage("ipip", true),
                    await stage("vxlan", true),
                    await stage("vxlan", false),
                ];
                assert.deepStrictEqual(changed(s0, s1), version === "v3.8.9" ? ["DaemonSet"] : []);
                assert.deepStrictEqual(changed(s1, s2), ["IPPool"]);
                assert.ok(!changed(s2, s3).includes("IPPool"));
                assert.ok(changed(s2, s3).includes("DaemonSet") && changed(s2, s3).includes("ConfigMap"));
            });
    });
});
