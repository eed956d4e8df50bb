/** The SDK-only floor of npm run bench registers exactly what the plan recorded, through the SDK alone. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writePlan, PROJECT } from "../../plan/planner";
import { installPlanMonitor, Registration, settled, withoutStackTraces } from "../../plan/monitor";
import { readPlan, ScriptTexts } from "../../plan/read";
import { gatesOf, replay, ReplayEntry, typedClass } from "../../plan/replay";
import { PlanWriter } from "../../plan/store";
import { requireSettings } from "../../settings";
import { rawConfigFromStackFile } from "../../settings/sources";
import { FAKE_PRIVATE_KEY, generatedRaw, tutorialRaw } from "../helpers/config";
import { Secret } from "../../settings/secret";
import { needsManifests } from "../setup";

const ROOT = path.join(__dirname, "..", "..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "f2c-replay-"));
/** A provider SDK's class adds its own replaceOnChanges and secret outputs again on replay; the SDK merges lists. */
const same = (e: ReplayEntry) => ({
    ...e,
    replaceOnChanges: [...new Set(e.replaceOnChanges)],
    additionalSecretOutputs: e.additionalSecretOutputs && [...new Set(e.additionalSecretOutputs)],
});

describe("the SDK-only floor (tools/floor.ts)", () => {
    for (const [stack, raw] of [
        ["dev", () => tutorialRaw({ cluster: { kubeconfig: new Secret("users: [{token: T}]\n") } })],
        [
            "prod-bgp",
            () => rawConfigFromStackFile(fs.readFileSync(path.join(ROOT, "Pulumi.prod-bgp.yaml"), "utf8")).raw,
        ],
    ] as const) {
        it(`registers exactly the resources of ${stack}'s plan: types, names, parents, inputs and options`, async function () {
            needsManifests(this);
            const [dir, out] = [tmp(), tmp()];
            try {
                const s = requireSettings(
                    { ...raw(), ssh: { user: "root", privateKey: new Secret(FAKE_PRIVATE_KEY) } },
                    { stack, dryRun: true },
                );
                await writePlan(s, dir);
                const planned = (await readPlan(dir)) as ReplayEntry[];
                const regs: Registration[] = [];
                installPlanMonitor((r) => regs.push(r), { project: PROJECT, stack, preview: true });
                await withoutStackTraces(async () => {
                    await replay(planned, new ScriptTexts(dir), { project: PROJECT, window: 7 });
                    await settled();
                });
                const w = new PlanWriter(
                    out,
                    s.nodes.map((n) => n.name),
                );
                regs.forEach((r) => w.add(r));
                w.close();
                const byUrn = (es: ReplayEntry[]) => new Map(es.map((e) => [e.urn, same(e)]));
                const [want, got] = [byUrn(planned), byUrn((await readPlan(out)) as ReplayEntry[])];
                assert.deepStrictEqual([...got.keys()].sort(), [...want.keys()].sort());
                for (const [urn, e] of want) assert.deepStrictEqual(got.get(urn), e, urn);
                assert.deepStrictEqual(
                    fs.readdirSync(path.join(out, "scripts")).sort(),
                    fs.readdirSync(path.join(dir, "scripts")).sort(),
                );
            } finally {
                [dir, out].forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
            }
        });
    }
    it("waits where the program waits: on each wave's gate before the next wave", async function () {
        needsManifests(this);
        const dir = tmp();
        try {
            const raw = generatedRaw(8, { rollout: { waveSize: 3, allowLargeWaves: true } });
            await writePlan(requireSettings(raw, { stack: "g", dryRun: true }), dir);
            const gates = [...gatesOf((await readPlan(dir)) as ReplayEntry[])].map((u) => u.split("::").pop());
            assert.deepStrictEqual(
                // The last wave's gate is followed by calico-node alone, which the floor's heuristic
                // (a dependency more than one resource waits on) does not count as a gate.
                gates.filter((g) => g?.startsWith("wave-")),
                ["wave-1-complete", "wave-2-complete"],
            );
            // A node's library is waited on by both its commands; no node command is taken for a gate.
            assert.ok(!gates.some((g) => g?.startsWith("node-") && !g.endsWith("-library")), gates.join());
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("uses the provider SDKs' own classes, as the program does", () => {
        assert.strictEqual(typedClass("command:remote:Command")?.name, "Command");
        assert.strictEqual(typedClass("kubernetes:apps/v1:DaemonSet")?.name, "DaemonSet");
        assert.strictEqual(typedClass("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")?.name, "ClusterRole");
        assert.strictEqual(typedClass("kubernetes:crd.projectcalico.org/v1:IPPool")?.name, "CustomResource");
        assert.strictEqual(typedClass("pulumi:providers:kubernetes")?.name, "Provider");
    });
});
