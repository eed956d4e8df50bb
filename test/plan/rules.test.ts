/**
 * What pulumi up does to a resource, rule by rule. Each case names the
 * upstream rule it encodes (pulumi-kubernetes v4.32.0 provider/pkg/provider
 * diff.go forceNewProperties and provider.go DiffConfig; the engine's
 * replaceOnChanges; pulumi-command v1.2.1 triggers), see plan/rules.ts.
 */
import * as assert from "assert";
import { classify, fieldChanges, PlanEntry, providerVerdict } from "../../plan/rules";

const k8s = (
    kind: string,
    apiVersion: string,
    rest: Record<string, unknown>,
    extra: Partial<PlanEntry> = {},
): PlanEntry => ({
    type: `kubernetes:${apiVersion}:${kind}`,
    name: kind.toLowerCase(),
    urn: `urn:${kind}`,
    dependsOn: [],
    protect: false,
    ...extra,
    inputs: { apiVersion, kind, metadata: { name: "x", namespace: "kube-system" }, ...rest },
});
const provider = (inputs: Record<string, unknown>): PlanEntry => ({
    type: "pulumi:providers:kubernetes",
    name: "kubernetes",
    urn: "urn:provider",
    dependsOn: [],
    protect: false,
    inputs,
});
const action = (a: PlanEntry, b: PlanEntry, p?: PlanEntry) => classify(a, b, { provider: p }).action;

describe("what pulumi up does to a resource (plan/rules.ts)", () => {
    describe("ConfigMaps (diff.go: data/binaryData forceNew unless enableConfigMapMutable)", () => {
        const cm = (v: string, immutable?: boolean) =>
            k8s("ConfigMap", "v1", { data: { veth_mtu: v }, ...(immutable ? { immutable } : {}) });
        it("replaces on a data change when the provider's enableConfigMapMutable is off", () => {
            assert.strictEqual(
                action(cm("1440"), cm("1400"), provider({ enableConfigMapMutable: "false" })),
                "replace",
            );
        });
        it("updates in place when it is on", () => {
            assert.strictEqual(action(cm("1440"), cm("1400"), provider({ enableConfigMapMutable: "true" })), "update");
        });
        it("replaces an immutable ConfigMap even when it is on", () => {
            assert.strictEqual(
                action(cm("1440", true), cm("1400", true), provider({ enableConfigMapMutable: "true" })),
                "replace",
            );
        });
    });
    describe("custom resources (no kind in the forceNew table: name and namespace only)", () => {
        const pool = (cidr: string, roc?: string[]) =>
            k8s("IPPool", "crd.projectcalico.org/v1", { spec: { cidr } }, roc ? { replaceOnChanges: roc } : {});
        it("patches spec.cidr in place without replaceOnChanges", () => {
            assert.strictEqual(action(pool("10.0.0.0/16"), pool("10.1.0.0/16")), "update");
        });
        it("replaces with replaceOnChanges on spec.cidr, and protect refuses it", () => {
            const v = classify(
                { ...pool("10.0.0.0/16", ["spec.cidr"]), protect: true },
                pool("10.1.0.0/16", ["spec.cidr"]),
            );
            assert.strictEqual(v.action, "replace");
            assert.match(v.refused ?? "", /refuses to replace a protected resource/);
        });
        it("replaces on a new name", () => {
            const b = k8s("IPPool", "crd.projectcalico.org/v1", { spec: {} });
            const a = { ...b, inputs: { ...b.inputs, metadata: { name: "y", namespace: "kube-system" } } };
            assert.strictEqual(action(b, a), "replace");
        });
    });
    describe("built-in kinds (the forceNew table)", () => {
        it("DaemonSet: a selector change replaces, a template change updates", () => {
            const ds = (sel: string, img: string) =>
                k8s("DaemonSet", "apps/v1", {
                    spec: { selector: { matchLabels: { k: sel } }, template: { spec: { image: img } } },
                });
            assert.strictEqual(action(ds("a", "1"), ds("b", "1")), "replace");
            assert.strictEqual(action(ds("a", "1"), ds("a", "2")), "update");
        });
        it("Job: a template change replaces", () => {
            const job = (img: string) => k8s("Job", "batch/v1", { spec: { template: { spec: { image: img } } } });
            assert.strictEqual(action(job("1"), job("2")), "replace");
        });
        it("Service: clusterIP replaces, type does not", () => {
            const svc = (type: string, ip?: string) =>
                k8s("Service", "v1", { spec: { type, ...(ip ? { clusterIP: ip } : {}) } });
            assert.strictEqual(action(svc("ClusterIP"), svc("NodePort")), "update");
            assert.strictEqual(action(svc("ClusterIP", "10.0.0.1"), svc("ClusterIP", "10.0.0.2")), "replace");
        });
        it("PodDisruptionBudget: the whole spec replaces in policy/v1beta1, updates in policy/v1", () => {
            const pdb = (api: string, n: number) => k8s("PodDisruptionBudget", api, { spec: { maxUnavailable: n } });
            assert.strictEqual(action(pdb("policy/v1beta1", 1), pdb("policy/v1beta1", 2)), "replace");
            assert.strictEqual(action(pdb("policy/v1", 1), pdb("policy/v1", 2)), "update");
        });
        it("ClusterRoleBinding: roleRef replaces", () => {
            const crb = (role: string) =>
                k8s("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", { roleRef: { name: role } });
            assert.strictEqual(action(crb("a"), crb("b")), "replace");
        });
        it("an apiVersion change alone is an update (the typed classes alias their old versions)", () => {
            const crd = (api: string) => k8s("CustomResourceDefinition", api, { spec: {} });
            assert.strictEqual(action(crd("apiextensions.k8s.io/v1beta1"), crd("apiextensions.k8s.io/v1")), "update");
        });
    });
    describe("commands (pulumi-command: triggers replace, anything else updates)", () => {
        const cmd = (triggers: string, host: string): PlanEntry => ({
            type: "command:remote:Command",
            name: "n-preflight",
            urn: "urn:cmd",
            dependsOn: [],
            protect: false,
            inputs: { triggers: [triggers], connection: { host } },
        });
        it("a new script hash replaces (create runs again); a new connection updates (update runs)", () => {
            assert.strictEqual(action(cmd("a", "h"), cmd("b", "h")), "replace");
            assert.strictEqual(action(cmd("a", "h"), cmd("a", "g")), "update");
        });
    });
    describe("the Kubernetes provider (provider.go DiffConfig)", () => {
        it("an unchanged clusterIdentifier never replaces, whatever the kubeconfig", () => {
            const v = providerVerdict(
                provider({ clusterIdentifier: "prod", kubeconfig: "~/.kube/a" }),
                provider({ clusterIdentifier: "prod", kubeconfig: "~/.kube/b", context: "c2" }),
            );
            assert.strictEqual(v.action, "update");
        });
        it("a changed clusterIdentifier replaces the provider", () => {
            const v = providerVerdict(
                provider({ clusterIdentifier: "prod" }),
                provider({ clusterIdentifier: "staging" }),
            );
            assert.strictEqual(v.action, "replace");
        });
        it("without an identifier (or on the run that adds it) a context change replaces", () => {
            assert.strictEqual(
                providerVerdict(provider({ context: "a" }), provider({ context: "b" })).action,
                "replace",
            );
            const adding = providerVerdict(
                provider({ context: "a" }),
                provider({ context: "b", clusterIdentifier: "b" }),
            );
            assert.strictEqual(adding.action, "replace");
        });
        it("adding the identifier alone is an update", () => {
            const v = providerVerdict(provider({ context: "a" }), provider({ context: "a", clusterIdentifier: "a" }));
            assert.strictEqual(v.action, "update");
        });
        it("a replaced provider replaces every object it manages", () => {
            const sa = k8s("ServiceAccount", "v1", {});
            const v = classify(sa, sa, { providerReplaced: "clusterIdentifier prod -> staging" });
            assert.strictEqual(v.action, "replace");
        });
    });
    it("protect refuses a delete", () => {
        const v = classify({ ...k8s("IPPool", "crd.projectcalico.org/v1", {}), protect: true }, undefined);
        assert.deepStrictEqual([v.action, v.refused], ["delete", "pulumi up refuses to delete a protected resource"]);
    });
    it("reports named array items by name with old and new values", () => {
        const env = (v: string) => ({
            containers: [
                {
                    name: "calico-node",
                    env: [
                        { name: "A", value: "1" },
                        { name: "B", value: v },
                    ],
                },
            ],
        });
        assert.deepStrictEqual(fieldChanges(env("x"), env("y")), [
            { path: "containers[name=calico-node].env[name=B].value", before: "x", after: "y" },
        ]);
        assert.deepStrictEqual(fieldChanges({ a: [1, 2] }, { a: [1, 3, 4] }), [
            { path: "a[1]", before: 2, after: 3 },
            { path: "a[2]", after: 4 },
        ]);
    });
});
