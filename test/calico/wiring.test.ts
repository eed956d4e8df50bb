/** Calico under mocks: order, protection, mode switches, upgrades, Typha sizing, API gates. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { build, byName, ancestors } from "../helpers/mocks";
import { generatedRaw, tutorialRaw, manifestDir } from "../helpers/config";

describe("Calico under mocks", () => {
    before(function () {
        if (!fs.existsSync(manifestDir())) this.skip();
    });
    const K8S_TYPES = (t: string) => t.startsWith("kubernetes:") && !t.startsWith("pulumi:");

    it("registers CRDs before custom resources and the IPPool before calico-node, all after every preflight", async () => {
        const { regs } = await build(tutorialRaw());
        const idx = (type: string, name: string) => regs.indexOf(byName(regs, type, name));
        const pool = idx("kubernetes:crd.projectcalico.org/v1:IPPool", "ippool-cluster-default-ipv4-ippool");
        const crd = idx(
            "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinition",
            "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
        );
        const node = idx("kubernetes:apps/v1:DaemonSet", "daemonset-kube-system-calico-node");
        assert.ok(crd < pool && pool < node, `${crd} ${pool} ${node}`);
        // Calico's objects change nothing on Flannel nodes: they wait for every preflight, not for the cutover.
        const preflight = byName(regs, "command:local:Command", "preflight-complete").urn;
        // (The network check's probes and baseline run under Flannel alongside the preflights.)
        for (const r of regs.filter((x) => K8S_TYPES(x.type) && x.custom && !x.parent.endsWith("::network-check")))
            assert.ok(ancestors(regs, r.urn).has(preflight), `${r.name} does not wait for the preflights`);
    });
    it("protects the CRDs, the IPPool, calico-config and calico-node, and nothing else", async () => {
        const { regs } = await build(tutorialRaw());
        const prot = regs.filter((r) => r.protect).map((r) => r.name);
        for (const r of regs.filter((x) => x.protect)) assert.strictEqual(r.retainOnDelete, true);
        assert.ok(prot.includes("ippool-cluster-default-ipv4-ippool"));
        assert.ok(prot.includes("configmap-kube-system-calico-config"));
        assert.ok(prot.includes("daemonset-kube-system-calico-node"));
        assert.strictEqual(prot.filter((n) => n.startsWith("customresourcedefinition-")).length, 14);
        assert.strictEqual(prot.length, 17);
    });
    it("switching ipip to bgp or crossSubnet changes the IPPool only; vxlan also rolls calico-node", async () => {
        const inputs = async (mode: string) =>
            Object.fromEntries(
                (await build(tutorialRaw({ network: { mode } }))).regs
                    .filter((r) => r.custom)
                    .map((r) => [r.urn, JSON.stringify(r.inputs)]),
            );
        const base = await inputs("ipip");
        const changed = (o: Record<string, string>) =>
            Object.keys({ ...base, ...o })
                .filter((k) => base[k] !== o[k])
                .map((u) => u.split("::").pop());
        // The mode-switch guard (a local command) records the pool's encapsulation; for bgp, preflight
        // re-checks the MTU (no header). Neither is a Kubernetes object.
        // The network check's Job runs again on any network change (its template carries the network settings).
        const k8sOnly = (xs: (string | undefined)[]) =>
            xs.filter(
                (x) =>
                    x !== "calico-network-guard" &&
                    !x?.endsWith("-preflight") &&
                    x !== "job-flannel-to-calico-f2c-check",
            );
        assert.deepStrictEqual(k8sOnly(changed(await inputs("bgp"))), ["ippool-cluster-default-ipv4-ippool"]);
        assert.deepStrictEqual(k8sOnly(changed(await inputs("crossSubnet"))), ["ippool-cluster-default-ipv4-ippool"]);
        const vx = changed(await inputs("vxlan"));
        for (const n of [
            "ippool-cluster-default-ipv4-ippool",
            "configmap-kube-system-calico-config",
            "daemonset-kube-system-calico-node",
        ])
            assert.ok(vx.includes(n), vx.join());
    });
    it("upgrading v3.8.9 to v3.26.5 deletes nothing: same names, typed classes alias the old apiVersions", async () => {
        const old = await build(tutorialRaw({ cluster: { kubernetesVersion: "1.21.5" } }));
        const cur = await build(
            tutorialRaw({ cluster: { kubernetesVersion: "1.21.5" }, calico: { version: "v3.26.5" } }),
        );
        const names = (b: typeof old) =>
            new Set(b.regs.filter((r) => K8S_TYPES(r.type) && r.custom).map((r) => r.name));
        const gone = [...names(old)].filter((n) => !names(cur).has(n));
        assert.deepStrictEqual(gone, []);
        const crd = byName(
            cur.regs,
            "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
            "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
        );
        assert.ok(
            JSON.stringify(crd.aliases).includes("apiextensions.k8s.io/v1beta1:CustomResourceDefinition"),
            JSON.stringify(crd.aliases),
        );
        assert.ok(crd.protect);
    });
    it("sizes Typha from the node count: 40, 60, 250 and 4000 nodes", async () => {
        for (const [n, replicas] of [
            [40, 0],
            [60, 1],
            [250, 2],
            [4000, 20],
        ] as const) {
            const raw = generatedRaw(Math.min(n, 300), { typha: n > 300 ? { nodeCount: n } : {} });
            const { regs } = await build(raw);
            const dep = regs.find(
                (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "deployment-kube-system-calico-typha",
            );
            if (replicas === 0) {
                assert.strictEqual(dep, undefined);
                continue;
            }
            assert.strictEqual((dep!.inputs.spec as { replicas: number }).replicas, replicas, `${n} nodes`);
            const node = byName(regs, "kubernetes:apps/v1:DaemonSet", "daemonset-kube-system-calico-node");
            assert.ok(node.dependsOn.includes(dep!.urn), "calico-node waits for Typha");
            assert.strictEqual(
                (
                    byName(regs, "kubernetes:apps/v1:Deployment", "deployment-kube-system-calico-kube-controllers")
                        .inputs.spec as { replicas: number }
                ).replicas,
                1,
            );
        }
    });
    it("refuses a manifest whose API versions the cluster cannot serve, before any resource", async () => {
        // A mislabelled custom manifest: v3.8's v1beta1 CRDs on Kubernetes 1.24.
        const raw = tutorialRaw({
            cluster: { kubernetesVersion: "1.24.3" },
            calico: { version: "v3.26.1", manifest: { path: path.join(manifestDir(), "v3.8", "calico.yaml") } },
        });
        await assert.rejects(
            build(raw),
            /uses apiextensions\.k8s\.io\/v1beta1, which Kubernetes 1\.24\.3 no longer serves/,
        );
    });
});
