/**
 * The window rule over the planned graph (calico/ordering.ts): during the
 * window every node is NotReady and tainted not-ready NoSchedule + NoExecute;
 * nothing may wait on a workload that cannot become ready before a later one
 * runs. Tolerations are read from the patched objects as registered.
 */
import * as assert from "assert";
import * as fs from "fs";
import { missingPrerequisites, windowProblems } from "../../calico/ordering";
import { SUPPORTED } from "../../calico/sideEffects";
import { Registration } from "../../plan/monitor";
import { DIR, manifest, MODES, object, planned } from "./matrix";

/** A copy of the graph with one registration's inputs or dependsOn replaced. */
function edit(regs: readonly Registration[], urn: string, change: Partial<Registration>): Registration[] {
    return regs.map((r) => (r.urn === urn ? { ...r, ...change } : r));
}

describe("the maintenance-window ordering rule over the planned graph", () => {
    before(function () {
        if (!fs.existsSync(DIR)) this.skip();
    });
    for (const version of SUPPORTED)
        for (const mode of MODES)
            for (const typha of [false, true])
                it(`${version} ${mode}${typha ? " with Typha" : ""}: holds, and calico-node waits for every prerequisite`, async () => {
                    const regs = await planned(version, mode, typha);
                    assert.deepStrictEqual(windowProblems(regs), []);
                    const typhaUrns = regs.filter((r) => r.parent.endsWith("::typha")).map((r) => r.urn);
                    assert.deepStrictEqual(missingPrerequisites(regs, "calico-node", typhaUrns), []);
                    assert.deepStrictEqual(missingPrerequisites(regs, "calico-kube-controllers"), []);
                    const kc = object(regs, "Deployment", "calico-kube-controllers");
                    const node = object(regs, "DaemonSet", "calico-node");
                    assert.ok(kc.dependsOn.includes(node.urn), "kube-controllers comes after calico-node");
                    // Only the network check, which runs after the window, waits on kube-controllers.
                    for (const r of regs.filter((x) => !x.parent.endsWith("::network-check")))
                        assert.ok(!r.dependsOn.includes(kc.urn), `${r.name} waits on kube-controllers`);
                });

    it("fails for the old v3.8 + Typha stack: calico-node waiting on a Typha that tolerates only CriticalAddonsOnly", async () => {
        const regs = await planned("v3.8.9", "ipip", true);
        const typha = object(regs, "Deployment", "calico-typha");
        const upstream = manifest("v3.8.9", "calico-typha").find(
            (o) => o.kind === "Deployment" && o.metadata.name === "calico-typha",
        )!;
        const spec = JSON.parse(JSON.stringify(typha.inputs.spec));
        spec.template.spec.tolerations = upstream.spec.template.spec.tolerations;
        const problems = windowProblems(edit(regs, typha.urn, { inputs: { ...typha.inputs, spec } }));
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(
            problems[0],
            /Deployment calico-typha cannot be scheduled while the nodes are NotReady: it does not tolerate node\.kubernetes\.io\/not-ready:NoSchedule, node\.kubernetes\.io\/not-ready:NoExecute.*; DaemonSet calico-node.* wait\(s\) on it/,
        );
    });
    it("fails when kube-controllers does not come after calico-node (its old place: after the pool only)", async () => {
        const regs = await planned("v3.26.5", "ipip");
        const kc = object(regs, "Deployment", "calico-kube-controllers");
        const pool = object(regs, "IPPool", "default-ipv4-ippool");
        const problems = windowProblems(edit(regs, kc.urn, { dependsOn: [pool.urn] }));
        assert.ok(
            problems.some((p) => /calico-kube-controllers cannot be scheduled while the nodes are NotReady/.test(p)),
        );
        assert.ok(problems.some((p) => /calico-kube-controllers needs the pod network/.test(p)));
        assert.notDeepStrictEqual(
            missingPrerequisites(edit(regs, kc.urn, { dependsOn: [pool.urn] }), "calico-kube-controllers"),
            [],
        );
    });
    it("fails when calico-node misses a prerequisite (its old order: the pool, calico-config and Typha only)", async () => {
        const regs = await planned("v3.26.5", "ipip", true);
        const node = object(regs, "DaemonSet", "calico-node");
        const keep = ["IPPool", "ConfigMap"].map((k) => regs.find((r) => r.inputs.kind === k && r.custom)!.urn);
        const missing = missingPrerequisites(edit(regs, node.urn, { dependsOn: keep }), "calico-node");
        for (const want of [
            "ServiceAccount calico-node",
            "ClusterRole calico-node",
            "ServiceAccount calico-cni-plugin",
        ])
            assert.ok(missing.includes(want), missing.join(", "));
        assert.ok(missing.some((m) => m.startsWith("CustomResourceDefinition felixconfigurations")));
    });
    it("a workload with skipAwait is not held to the rule; one without the host network is", async () => {
        const regs = await planned("v3.26.5", "ipip", true);
        const typha = object(regs, "Deployment", "calico-typha");
        const spec = JSON.parse(JSON.stringify(typha.inputs.spec));
        spec.template.spec.hostNetwork = false;
        const noHost = edit(regs, typha.urn, { inputs: { ...typha.inputs, spec } });
        assert.match(windowProblems(noHost).join("\n"), /Deployment calico-typha needs the pod network/);
        const metadata = { name: "calico-typha", annotations: { "pulumi.com/skipAwait": "true" } };
        assert.deepStrictEqual(
            windowProblems(edit(noHost, typha.urn, { inputs: { ...typha.inputs, spec, metadata } })),
            [],
        );
    });
});
