import * as assert from "assert";
import { build, byName } from "../helpers/mocks";
import { tutorialRaw } from "../helpers/config";
import { Secret } from "../../settings/secret";

describe("program wiring", () => {
    it("uses one explicit Kubernetes provider with this stack's kubeconfig and context", async () => {
        const { regs } = await build(
            tutorialRaw({ cluster: { context: "prod-east", kubeconfig: "/etc/kube/prod.conf" } }),
        );
        const providers = regs.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.strictEqual(providers.length, 1);
        assert.strictEqual(providers[0].inputs.context, "prod-east");
        assert.strictEqual(providers[0].inputs.kubeconfig, "/etc/kube/prod.conf");
    });
    it("turns server-side apply off below Kubernetes 1.22 and on from 1.22", async () => {
        const old = await build(tutorialRaw());
        assert.strictEqual(
            byName(old.regs, "pulumi:providers:kubernetes", "kubernetes").inputs.enableServerSideApply,
            "false",
        );
        const cur = await build(
            tutorialRaw({ cluster: { kubernetesVersion: "1.28.2" }, calico: { version: "v3.26.5" } }),
        );
        assert.strictEqual(
            byName(cur.regs, "pulumi:providers:kubernetes", "kubernetes").inputs.enableServerSideApply,
            "true",
        );
    });
    it("sends kubeconfig content only as a secret", async () => {
        const content = "apiVersion: v1\nkind: Config\nusers: [{name: u, user: {token: TOPSECRET}}]\n";
        const { regs } = await build(tutorialRaw({ cluster: { kubeconfig: new Secret(content) } }));
        const p = byName(regs, "pulumi:providers:kubernetes", "kubernetes");
        assert.strictEqual(p.inputs.kubeconfig, "[secret]");
        assert.ok(!JSON.stringify(regs).includes("TOPSECRET"));
    });
    it("registers every Kubernetes and command resource on an explicit provider", async () => {
        const { regs } = await build(tutorialRaw());
        for (const r of regs.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            assert.match(
                r.provider,
                /::pulumi:providers:(kubernetes|command)::/,
                `${r.type} ${r.name} has no explicit provider`,
            );
        }
    });
    it("exposes the outputs a user wants", async () => {
        const { migration } = await build(tutorialRaw());
        const o = migration.outputs;
        assert.strictEqual(o.mode, "ipip");
        assert.strictEqual(o.podCidr, "172.30.0.0/16");
        assert.strictEqual(o.calicoVersion, "v3.8.9");
        assert.strictEqual(o.typhaReplicas, 0);
        assert.deepStrictEqual(o.nodesPerWave, [["zhangjun-k8s01"], ["zhangjun-k8s02"], ["zhangjun-k8s03"]]);
    });
    it("keeps the cluster's name out of resource names (renaming replaces nothing)", async () => {
        const a = await build(tutorialRaw());
        const b = await build(tutorialRaw({ cluster: { name: "renamed" } }));
        assert.deepStrictEqual(b.regs.map((r) => r.urn).sort(), a.regs.map((r) => r.urn).sort());
        const inputs = (x: typeof a) =>
            Object.fromEntries(x.regs.filter((r) => r.custom).map((r) => [r.urn, r.inputs]));
        assert.deepStrictEqual(inputs(b), inputs(a));
    });
});

describe("calico.adopt wiring", () => {
    it("makes the provider upsert existing objects and every Calico object take field ownership", async () => {
        const raw = tutorialRaw({
            cluster: { kubernetesVersion: "1.28.4" },
            calico: { version: "v3.26.5", adopt: true },
        });
        const { regs } = await build(raw);
        assert.strictEqual(
            byName(regs, "pulumi:providers:kubernetes", "kubernetes").inputs.upsertExistingObjects,
            "true",
        );
        const objs = regs.filter(
            (r) =>
                r.custom &&
                r.type.startsWith("kubernetes:") &&
                !r.type.startsWith("pulumi:") &&
                // The network check's own objects were never applied with kubectl.
                !r.parent.includes(":NetworkCheck::"),
        );
        assert.ok(objs.length > 20);
        for (const o of objs)
            assert.strictEqual(
                ((o.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {})[
                    "pulumi.com/patchForce"
                ],
                "true",
                o.name,
            );
        const plain = await build(
            tutorialRaw({ cluster: { kubernetesVersion: "1.28.4" }, calico: { version: "v3.26.5" } }),
        );
        assert.strictEqual(
            byName(plain.regs, "pulumi:providers:kubernetes", "kubernetes").inputs.upsertExistingObjects,
            "false",
        );
    });
});
