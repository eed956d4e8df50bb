/** The network check in the resource graph, under mocks: before the first cutover, after Calico, before the outputs. */
import * as assert from "assert";
import { ancestors, build, byName } from "../helpers/mocks";
import { generatedRaw, tutorialRaw } from "../helpers/config";
import { Registration } from "../../plan/monitor";

const JOB = "kubernetes:batch/v1:Job";
const job = (regs: Registration[], name: string) => byName(regs, JOB, `job-flannel-to-calico-${name}`);
/** URNs of an Output's resources (what the engine waits for before it can resolve the output). */
async function outputResources(o: unknown): Promise<string[]> {
    const rs = await (o as { resources(): Promise<Set<{ urn: { promise(): Promise<string> } }>> }).resources();
    return Promise.all([...rs].map((r) => r.urn.promise()));
}

describe("the network check in the graph", () => {
    it("the probes and the baseline Job come before every node's cutover, and wait for no node command", async () => {
        const { regs } = await build(tutorialRaw());
        const baseline = job(regs, "f2c-baseline");
        const ds = byName(regs, "kubernetes:apps/v1:DaemonSet", "daemonset-flannel-to-calico-f2c-probe");
        assert.ok(ancestors(regs, baseline.urn).has(ds.urn), "the baseline waits for the probes");
        const steps = regs.filter((r) => r.type === "command:remote:Command");
        const cutovers = steps.filter((r) => r.name.endsWith("-cutover"));
        assert.strictEqual(cutovers.length, 3);
        for (const s of cutovers)
            assert.ok(ancestors(regs, s.urn).has(baseline.urn), `${s.name} runs before the baseline`);
        for (const r of regs.filter(
            (x) => x.parent.includes(":NetworkCheck::") && x.name !== "job-flannel-to-calico-f2c-check",
        ))
            for (const s of steps) assert.ok(!ancestors(regs, r.urn).has(s.urn), `${r.name} waits for ${s.name}`);
    });
    it("the check Job comes after calico-node, kube-controllers and Typha, its RBAC, the probes and the baseline", async () => {
        const { regs } = await build(generatedRaw(60));
        const check = ancestors(regs, job(regs, "f2c-check").urn);
        for (const [type, name] of [
            ["kubernetes:apps/v1:DaemonSet", "daemonset-kube-system-calico-node"],
            ["kubernetes:apps/v1:Deployment", "deployment-kube-system-calico-kube-controllers"],
            ["kubernetes:apps/v1:Deployment", "deployment-kube-system-calico-typha"],
            ["kubernetes:rbac.authorization.k8s.io/v1:Role", "role-flannel-to-calico-f2c-check"],
            ["kubernetes:apps/v1:DaemonSet", "daemonset-flannel-to-calico-f2c-probe"],
            ["kubernetes:core/v1:Service", "service-flannel-to-calico-f2c-probe"],
            [JOB, "job-flannel-to-calico-f2c-baseline"],
            ["command:local:Command", "wave-10-complete"],
        ])
            assert.ok(check.has(byName(regs, type, name).urn), `the check does not wait for ${name}`);
    });
    it("the stack output networkCheck waits for both Jobs", async () => {
        const { regs, migration } = await build(tutorialRaw());
        const urns = await outputResources(migration.outputs.networkCheck);
        assert.ok(urns.includes(job(regs, "f2c-check").urn));
        assert.ok(urns.includes(job(regs, "f2c-baseline").urn));
    });
    it("in a preview the output is unknown: it comes from the Jobs' status once pulumi up has run them", async () => {
        const { migration } = await build(tutorialRaw());
        const known = await (migration.outputs.networkCheck as unknown as { isKnown: Promise<boolean> }).isKnown;
        assert.strictEqual(known, false);
    });
    it("every object of the check is on the stack's Kubernetes provider, in the component network-check", async () => {
        const { regs } = await build(tutorialRaw());
        const mine = regs.filter((r) => r.parent.includes("flannel-to-calico:verify:NetworkCheck::network-check"));
        assert.strictEqual(mine.length, 14, mine.map((r) => r.name).join());
        for (const r of mine) assert.match(r.provider, /::pulumi:providers:kubernetes::kubernetes::/);
        assert.ok(!mine.some((r) => r.protect), "nothing of the check is protected: destroying the stack removes it");
    });
    it("verify.enabled false registers none of it; the first cutover then waits for the preflights and Calico only", async () => {
        const { regs, migration } = await build(tutorialRaw({ verify: { enabled: false } }));
        assert.ok(!regs.some((r) => r.name.includes("flannel-to-calico") || r.type.includes("NetworkCheck")));
        assert.strictEqual(migration.outputs.networkCheck, undefined);
        const gate = byName(regs, "command:local:Command", "cutover-start");
        assert.ok(!gate.dependsOn.some((u) => u.includes("flannel-to-calico-f2c")));
    });
});
