/**
 * The provider's cluster identity and the stack keys issue 11 adds.
 *
 * pulumi-kubernetes provider.go DiffConfig (>= 4.16.0), which these tests do
 * not simulate: an unchanged, set clusterIdentifier means no provider
 * replacement whatever kubeconfig, context or cluster say; a changed one
 * (both set) is a replacement of the provider and everything it manages;
 * adding it (absent -> set) is an update, but on that run the usual
 * kubeconfig rules still apply (testdata/diffconfig/add-cluster-identifier).
 */
import * as assert from "assert";
import { loadSettings, RawConfig } from "../../settings";
import { Secret } from "../../settings/secret";
import { build, byName } from "../helpers/mocks";
import { tutorialRaw } from "../helpers/config";

const PROVIDER = "pulumi:providers:kubernetes";
const providerOf = async (raw: RawConfig) => byName((await build(raw)).regs, PROVIDER, "kubernetes");
const problems = (raw: RawConfig) => {
    const r = loadSettings(raw, { stack: "t", dryRun: true });
    return r.ok ? [] : r.problems;
};

describe("the provider's cluster identity (cluster.id)", () => {
    it("defaults to cluster.context and is registered as clusterIdentifier", async () => {
        const p = await providerOf(tutorialRaw({ cluster: { context: "prod-east" } }));
        assert.strictEqual(p.inputs.clusterIdentifier, "prod-east");
        const { migration } = await build(tutorialRaw({ cluster: { context: "prod-east" } }));
        assert.strictEqual(migration.outputs.clusterIdentity, "prod-east");
    });
    it("comes from cluster.id when set, and cluster.name plays no part", async () => {
        const a = await providerOf(tutorialRaw({ cluster: { id: "dc1/tutorial", name: "a" } }));
        const b = await providerOf(tutorialRaw({ cluster: { id: "dc1/tutorial", name: "b" } }));
        assert.strictEqual(a.inputs.clusterIdentifier, "dc1/tutorial");
        assert.deepStrictEqual(b.inputs, a.inputs);
    });
    it("a moved kubeconfig, a new context name or new content keep the identifier (no provider replacement)", async () => {
        const base = await providerOf(tutorialRaw({ cluster: { id: "tutorial" } }));
        for (const cluster of [
            { id: "tutorial", kubeconfig: "/etc/kube/moved.conf" },
            { id: "tutorial", context: "renamed-context" },
            { id: "tutorial", kubeconfig: new Secret("apiVersion: v1\nkind: Config\nclusters: []\n") },
        ]) {
            const p = await providerOf(tutorialRaw({ cluster }));
            assert.strictEqual(p.inputs.clusterIdentifier, base.inputs.clusterIdentifier);
            assert.strictEqual(p.urn, base.urn);
            assert.notDeepStrictEqual(p.inputs, base.inputs, "the provider is updated, not replaced");
        }
    });
    it("another id is another identifier: the provider rule makes that a replacement, which the protected objects refuse", async () => {
        const a = await build(tutorialRaw({ cluster: { id: "cluster-a" } }));
        const b = await build(tutorialRaw({ cluster: { id: "cluster-b" } }));
        assert.notStrictEqual(
            byName(a.regs, PROVIDER, "kubernetes").inputs.clusterIdentifier,
            byName(b.regs, PROVIDER, "kubernetes").inputs.clusterIdentifier,
        );
        const providerUrn = byName(b.regs, PROVIDER, "kubernetes").urn;
        const managed = b.regs.filter((r) => r.provider.startsWith(`${providerUrn}::`));
        assert.ok(
            managed.filter((r) => r.protect).length >= 17,
            "protected objects on that provider refuse the replace",
        );
    });
    it("renaming the context without cluster.id changes the identifier: set cluster.id to the old context first", async () => {
        const a = await providerOf(tutorialRaw({ cluster: { context: "old" } }));
        const b = await providerOf(tutorialRaw({ cluster: { context: "new" } }));
        assert.notStrictEqual(a.inputs.clusterIdentifier, b.inputs.clusterIdentifier);
        const pinned = await providerOf(tutorialRaw({ cluster: { context: "new", id: "old" } }));
        assert.strictEqual(pinned.inputs.clusterIdentifier, a.inputs.clusterIdentifier);
    });
    it("refuses an id with spaces or one that is not a string", () => {
        assert.match(
            problems(tutorialRaw({ cluster: { id: "my cluster" } })).join("\n"),
            /cluster\.id is "my cluster"/,
        );
        assert.match(problems(tutorialRaw({ cluster: { id: 7 } })).join("\n"), /cluster\.id is 7: expected a string/);
        assert.deepStrictEqual(problems(tutorialRaw({ cluster: { id: "arn:aws:eks:eu-west-1:1:cluster/x" } })), []);
    });
});
