/**
 * How changes reach a live cluster, from the plan's recorded inputs and
 * options: calico-config changes in place and rolls calico-node through its
 * template annotation; the pool's identity fields are a replace that protect
 * refuses; the plan diff's guard agrees.
 *
 * Provider and engine rules relied on (see notes/pulumi-facts.md):
 * - pulumi-kubernetes diff.go forceNewProperties: with enableConfigMapMutable a
 *   ConfigMap's data is an in-place patch unless it says immutable: true; only
 *   metadata.name / namespace force a replace otherwise.
 * - pulumi/pulumi step_generator.go applyReplaceOnChanges: a diff key inside a
 *   replaceOnChanges path is a replace; a protected resource is then refused
 *   ("unable to replace resource ... as it is currently marked for protection").
 */
import * as assert from "assert";
import * as fs from "fs";
import { CONFIG_HASH_ANNOTATION } from "../../calico/patches";
import { diffPlans } from "../../plan/diff";
import { fieldChanges } from "../../plan/rules";
import { Registration } from "../../plan/monitor";
import { RawConfig } from "../../settings";
import { build, byName } from "../helpers/mocks";
import { tutorialRaw } from "../helpers/config";
import { DIR, object, rawFor } from "./matrix";

const regsOf = async (raw: RawConfig) => (await build(raw)).regs;
const hash = (r: Registration) =>
    (r.inputs.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata
        .annotations[CONFIG_HASH_ANNOTATION];
const PROVIDER = "pulumi:providers:kubernetes";

/** The replaceOnChanges paths a changed field falls under (the engine's PropertyPath.Contains, for dotted paths). */
const replacing = (r: Registration, field: string) =>
    r.replaceOnChanges.filter((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`));

/** calico-config before and after: one resource, changed data, nothing that makes the provider replace it. */
function assertInPlace(a: Registration[], b: Registration[]): void {
    const [ca, cb] = [a, b].map((regs) => object(regs, "ConfigMap", "calico-config"));
    assert.strictEqual(ca.urn, cb.urn);
    assert.notDeepStrictEqual(ca.inputs.data, cb.inputs.data, "the data changes");
    assert.deepStrictEqual(fieldChanges(ca.inputs.metadata, cb.inputs.metadata), [], "name and namespace stay");
    for (const r of [ca, cb]) {
        assert.strictEqual(r.inputs.immutable, undefined, "not immutable: the provider patches its data");
        assert.deepStrictEqual(r.replaceOnChanges, []);
        assert.strictEqual(r.deleteBeforeReplace, false);
        assert.strictEqual(r.protect, true);
    }
    for (const regs of [a, b])
        assert.strictEqual(byName(regs, PROVIDER, "kubernetes").inputs.enableConfigMapMutable, "true");
    const [na, nb] = [a, b].map((regs) => object(regs, "DaemonSet", "calico-node"));
    assert.strictEqual(na.urn, nb.urn);
    assert.notStrictEqual(hash(na), hash(nb), "calico-node's pod template changes, so the DaemonSet rolls it");
}

describe("changes on a live cluster", () => {
    before(function () {
        if (!fs.existsSync(DIR)) this.skip();
    });
    for (const version of ["v3.8.9", "v3.26.5", "v3.32.1"] as const)
        it(`${version}: network.mtu updates calico-config in place and rolls calico-node`, async () => {
            assertInPlace(
                await regsOf(rawFor(version, "ipip")),
                await regsOf(rawFor(version, "ipip", false, { network: { mtu: 1400 } })),
            );
        });
    it("Typha on and off updates calico-config (typha_service_name) in place and rolls calico-node", async () => {
        const off = await regsOf(rawFor("v3.26.5", "ipip", false));
        const on = await regsOf(rawFor("v3.26.5", "ipip", true));
        assertInPlace(off, on);
        assertInPlace(on, off);
    });
    it("a Calico version bump (v3.8.9 -> v3.26.5, v3.26.5 -> v3.32.1) updates calico-config in place and rolls calico-node", async () => {
        const k121 = { cluster: { kubernetesVersion: "1.21.5" } };
        assertInPlace(
            await regsOf(tutorialRaw({ ...k121, calico: { version: "v3.8.9" } })),
            await regsOf(tutorialRaw({ ...k121, calico: { version: "v3.26.5" } })),
        );
        const k128 = { cluster: { kubernetesVersion: "1.28.4" } };
        assertInPlace(
            await regsOf(tutorialRaw({ ...k128, calico: { version: "v3.26.5" } })),
            await regsOf(tutorialRaw({ ...k128, calico: { version: "v3.32.1" } })),
        );
    });
    it("a change calico-node does not read (the pool's natOutgoing) leaves its template alone", async () => {
        const a = await regsOf(rawFor("v3.26.5", "ipip"));
        const b = await regsOf(rawFor("v3.26.5", "ipip", false, { network: { natOutgoing: false } }));
        assert.strictEqual(hash(object(a, "DaemonSet", "calico-node")), hash(object(b, "DaemonSet", "calico-node")));
    });

    it("the pool's cidr and blockSize are replaceOnChanges, and the pool is protected and retained", async () => {
        const pool = object(await regsOf(tutorialRaw()), "IPPool", "default-ipv4-ippool");
        assert.deepStrictEqual(pool.replaceOnChanges, ["spec.cidr", "spec.blockSize"]);
        assert.strictEqual(pool.protect, true);
        assert.strictEqual(pool.retainOnDelete, true);
        assert.strictEqual(pool.deleteBeforeReplace, false);
    });
    it("a pod CIDR or block size change is a replace that protect refuses; natOutgoing is an update", async () => {
        const base = await regsOf(tutorialRaw());
        const pool = (regs: Registration[]) => object(regs, "IPPool", "default-ipv4-ippool");
        for (const [raw, field] of [
            [tutorialRaw({ cluster: { podCidr: "172.31.0.0/16" } }), "spec.cidr"],
            [tutorialRaw({ network: { blockSize: 27 } }), "spec.blockSize"],
        ] as const) {
            const head = await regsOf(raw);
            const fields = fieldChanges(pool(base).inputs, pool(head).inputs).map((f) => f.path);
            assert.deepStrictEqual(fields, [field]);
            assert.deepStrictEqual(replacing(pool(head), field), [field], "the engine replaces");
            assert.ok(pool(head).protect, "and refuses, because it is protected");
            // The plan diff's guard agrees.
            const hits = diffPlans(base, head).guard.filter((h) => h.label.includes("IPPool"));
            assert.deepStrictEqual(
                hits.map((h) => h.action),
                ["replace"],
            );
        }
        const nat = await regsOf(tutorialRaw({ network: { natOutgoing: false } }));
        assert.deepStrictEqual(replacing(pool(nat), "spec.natOutgoing"), []);
        assert.deepStrictEqual(diffPlans(base, nat).guard, []);
    });
    it("the plan diff's guard sees an mtu change as an update of calico-config, not a protected replace", async () => {
        const d = diffPlans(await regsOf(tutorialRaw()), await regsOf(tutorialRaw({ network: { mtu: 1400 } })));
        assert.deepStrictEqual(d.guard, []);
        // calico-config and calico-node update in place; every node's preflight re-checks the MTU (a read-only step).
        assert.deepStrictEqual(
            d.changes.filter((c) => c.category === "kubernetes").map((c) => `${c.verdict.action} ${c.label}`),
            [
                "update core ConfigMap kube-system/calico-config",
                "update apps DaemonSet kube-system/calico-node",
                // The network check runs again (a Job's template change is a replace, pulumi-kubernetes diff.go).
                "replace batch Job flannel-to-calico/f2c-check",
            ],
        );
        assert.deepStrictEqual(
            d.changes.filter((c) => c.category === "node").map((c) => `${c.verdict.action} ${c.label}`),
            ["zhangjun-k8s01", "zhangjun-k8s02", "zhangjun-k8s03"].map((n) => `update ${n}-preflight`),
        );
    });
});
