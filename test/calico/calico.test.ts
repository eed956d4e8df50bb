/**
 * Calico from the real upstream manifests in shared/calico (CALICO_MANIFEST_DIR):
 * transforms, schema validity, and the resource graph under mocks.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { isTyphaObject, K8sObject, parseManifest } from "../../calico/manifest";
import { patchCalico, patchTypha } from "../../calico/patches";
import { bgpObjects, ipPool, poolModes } from "../../calico/managed";
import { loadManifest } from "../../calico/source";
import { requireSettings, NetworkMode, Settings } from "../../settings";
import { sizeTypha } from "../../settings/typha";
import { KNOWN_CALICO } from "../../calico/versions";
import { build, byName, ancestors } from "../helpers/mocks";
import { generatedRaw, tutorialRaw } from "../helpers/config";

// test/setup.ts points CALICO_MANIFEST_DIR at ../shared/calico unless it is set.
const DIR = process.env.CALICO_MANIFEST_DIR ?? path.join(__dirname, "..", "..", "..", "shared", "calico");
const MODES: NetworkMode[] = ["ipip", "bgp", "crossSubnet", "vxlan"];
const K8S: Record<string, string> = { "v3.8.9": "1.14.2", "v3.26.5": "1.28.4", "v3.32.1": "1.34.1" };

function settings(version: string, mode: NetworkMode, extra: Record<string, unknown> = {}): Settings {
    return requireSettings(
        tutorialRaw({ cluster: { kubernetesVersion: K8S[version] }, calico: { version }, network: { mode, ...extra } }),
        { stack: "t", dryRun: true },
    );
}
function manifest(dir: string, variant: string): K8sObject[] {
    return parseManifest(fs.readFileSync(path.join(DIR, dir, `${variant}.yaml`), "utf8"), `${dir}/${variant}`);
}
/** Paths of leaves that differ between two JSON trees. */
function diffPaths(a: unknown, b: unknown, p = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        return [...keys].flatMap((k) =>
            diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${p}/${k}`),
        );
    }
    return [p];
}
const envOf = (objs: readonly K8sObject[]) =>
    objs.find((o) => o.kind === "DaemonSet")!.spec.template.spec.containers[0].env as {
        name: string;
        value?: string;
    }[];

describe("Calico manifests", () => {
    before(function () {
        if (!fs.existsSync(DIR)) this.skip();
    });

    for (const known of KNOWN_CALICO) {
        for (const variant of ["calico", "calico-typha"] as const) {
            it(`${known.dir}/${variant}.yaml matches its pinned sha256 and loads through CALICO_MANIFEST_DIR`, async () => {
                const s = settings(known.version, "ipip");
                const m = await loadManifest(s.calico, variant, {
                    manifestDir: DIR,
                    fetch: async () => {
                        throw new Error("no network in tests");
                    },
                });
                assert.strictEqual(m.sha256, known.manifests[variant].sha256);
            });
            for (const mode of MODES) {
                it(`${known.dir}/${variant} in ${mode} mode: pool env out, NO_DEFAULT_POOLS in, backend, kube-controllers at 1, nothing else changed`, () => {
                    const orig = manifest(known.dir, variant).filter((o) => !isTyphaObject(o));
                    const typha = sizeTypha({
                        nodeCount: variant === "calico" ? 3 : 300,
                        enabled: "auto",
                        production: false,
                    }).decision;
                    const {
                        parts: { objects },
                    } = patchCalico(orig, { network: settings(known.version, mode).network, typha, nodeCount: 3 });
                    const env = envOf(objects);
                    assert.ok(!env.some((e) => e.name.startsWith("CALICO_IPV4POOL_")), "CALICO_IPV4POOL_* removed");
                    assert.strictEqual(env.find((e) => e.name === "NO_DEFAULT_POOLS")?.value, "true");
                    const cm = objects.find((o) => o.metadata.name === "calico-config")!;
                    assert.strictEqual(cm.data.calico_backend, mode === "vxlan" ? "vxlan" : "bird");
                    assert.strictEqual(cm.data.typha_service_name, variant === "calico" ? "none" : "calico-typha");
                    assert.strictEqual(
                        objects.find((o) => o.metadata.name === "calico-kube-controllers" && o.kind === "Deployment")!
                            .spec.replicas,
                        1,
                    );
                    // Every change is one this program means to make.
                    const allowed = [
                        /^\/data\/calico_backend$/,
                        /^\/spec\/template\/spec\/containers\/0\/env/,
                        /^\/metadata\/annotations$/,
                        /^\/spec\/template\/spec\/containers\/0\/(liveness|readiness)Probe\/exec\/command/,
                        /^\/spec\/replicas$/,
                    ];
                    objects.forEach((o, i) => {
                        for (const p of diffPaths(orig[i], o))
                            assert.ok(
                                allowed.some((re) => re.test(p)),
                                `${o.kind}/${o.metadata.name} changed at ${p}`,
                            );
                    });
                    const probes = JSON.stringify(
                        objects.find((o) => o.kind === "DaemonSet")!.spec.template.spec.containers[0].livenessProbe,
                    );
                    assert.strictEqual(probes.includes("-bird-live"), mode !== "vxlan");
                });
            }
        }
    }

    it("sets veth_mtu only when network.mtu is set, and warns when IPIP has no room", () => {
        const orig = manifest("v3.26", "calico");
        const typha = sizeTypha({ nodeCount: 3, enabled: "auto", production: false }).decision;
        const keep = patchCalico(orig, { network: settings("v3.26.5", "ipip").network, typha, nodeCount: 3 });
        assert.strictEqual(keep.parts.objects.find((o) => o.metadata.name === "calico-config")!.data.veth_mtu, "0");
        const set = patchCalico(orig, {
            network: settings("v3.26.5", "ipip", { mtu: 1500 }).network,
            typha,
            nodeCount: 3,
        });
        assert.strictEqual(set.parts.objects.find((o) => o.metadata.name === "calico-config")!.data.veth_mtu, "1500");
        assert.ok(set.warnings.some((w) => w.includes("20-byte IPIP header")));
    });
    it("applies the image registry mirror to every container", () => {
        const orig = manifest("v3.32", "calico");
        const typha = sizeTypha({ nodeCount: 3, enabled: "auto", production: false }).decision;
        const {
            parts: { objects },
        } = patchCalico(orig, {
            network: settings("v3.32.1", "ipip").network,
            typha,
            nodeCount: 3,
            imageRegistry: "registry.local:5000/mirror",
        });
        const images = objects.flatMap((o) => {
            const ps = o.spec?.template?.spec;
            return ps ? [...(ps.initContainers ?? []), ...ps.containers].map((c: { image: string }) => c.image) : [];
        });
        assert.ok(images.length > 3);
        for (const i of images) assert.match(i, /^registry\.local:5000\/mirror\/calico\/[a-z-]+:v3\.32\.1$/);
    });
    it("fails loudly when a patch target is missing", () => {
        const orig = manifest("v3.8", "calico").filter(
            (o) => o.metadata.name !== "calico-kube-controllers" || o.kind !== "Deployment",
        );
        const typha = sizeTypha({ nodeCount: 3, enabled: "auto", production: false }).decision;
        assert.throws(
            () => patchCalico(orig, { network: settings("v3.8.9", "ipip").network, typha, nodeCount: 3 }),
            /lacks Deployment calico-kube-controllers/,
        );
        assert.throws(
            () => parseManifest("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "x.yaml"),
            /lacks ConfigMap calico-config, DaemonSet calico-node/,
        );
    });

    describe("schemas", () => {
        const crds = manifest("v3.32", "calico").filter((o) => o.kind === "CustomResourceDefinition");
        const ajv = new Ajv({ strict: false, allErrors: true });
        // Go regexps' case-insensitive flag "(?i)" has no JavaScript form:
        // such patterns are made case-insensitive by hand.
        const jsPatterns = (v: unknown): unknown =>
            Array.isArray(v)
                ? v.map(jsPatterns)
                : v && typeof v === "object"
                  ? Object.fromEntries(
                        Object.entries(v).map(([k, x]) => [
                            k,
                            k === "pattern" && typeof x === "string" && x.includes("(?i)")
                                ? x
                                      .replace("(?i)", "")
                                      .replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)
                                : jsPatterns(x),
                        ]),
                    )
                  : v;
        const validator = (plural: string) =>
            ajv.compile(
                jsPatterns(
                    crds.find((c) => c.metadata.name === `${plural}.crd.projectcalico.org`)!.spec.versions[0].schema
                        .openAPIV3Schema,
                ) as object,
            );
        for (const mode of MODES) {
            it(`IPPool in ${mode} mode is valid against the v3.32 CRD schema`, () => {
                const v = validator("ippools");
                const pool = ipPool("172.30.0.0/16", settings("v3.32.1", mode).network);
                assert.ok(v(pool), JSON.stringify(v.errors));
                assert.deepStrictEqual(
                    { ipipMode: pool.spec.ipipMode, vxlanMode: pool.spec.vxlanMode },
                    poolModes(mode),
                );
            });
        }
        it("BGPConfiguration and BGPPeers are valid against the v3.32 CRD schemas", () => {
            const n = settings("v3.32.1", "bgp", {
                bgp: {
                    asNumber: 64513,
                    nodeToNodeMesh: false,
                    peers: [{ name: "tor-a", peerIP: "10.0.0.1", asNumber: 64600, nodeSelector: "all()" }],
                },
            }).network;
            const [conf, peer] = bgpObjects(n);
            const vc = validator("bgpconfigurations");
            const vp = validator("bgppeers");
            assert.ok(vc(conf), JSON.stringify(vc.errors));
            assert.ok(vp(peer), JSON.stringify(vp.errors));
            assert.strictEqual(conf.spec.nodeToNodeMeshEnabled, false);
        });
        it("a wrong pool is rejected by the schema (the check can fail)", () => {
            const v = validator("ippools");
            assert.ok(
                !v({
                    apiVersion: "crd.projectcalico.org/v1",
                    kind: "IPPool",
                    metadata: { name: "x" },
                    spec: { cidr: 5, ipipMode: "Always" },
                }),
            );
        });
    });

    describe("built-in kinds against Kubernetes schemas (kubernetes-models)", () => {
        // kubernetes-models is ESM only; keep TypeScript from turning import() into require().
        const importEsm = new Function("m", "return import(m)") as (
            m: string,
        ) => Promise<Record<string, new (d: unknown) => { validate(): void }>>;
        const validate = async (o: K8sObject) => {
            const mod = await importEsm(`kubernetes-models/${o.apiVersion.includes("/") ? o.apiVersion : `v1`}`);
            const Model = mod[o.kind];
            assert.ok(Model, `kubernetes-models has no ${o.apiVersion} ${o.kind}`);
            new Model(o).validate();
        };
        for (const known of KNOWN_CALICO) {
            for (const mode of ["ipip", "vxlan"] as NetworkMode[]) {
                it(`${known.dir}, Typha variant, ${mode}: every patched built-in object is valid`, async () => {
                    const objs = manifest(known.dir, "calico-typha");
                    const decision = sizeTypha({ nodeCount: 300, enabled: "auto", production: false }).decision;
                    const n = settings(known.version, mode, {
                        mtu: 1400,
                        ipAutodetectionMethod: "interface=eth0",
                    }).network;
                    const {
                        parts: { objects },
                    } = patchCalico(
                        objs.filter((o) => !isTyphaObject(o)),
                        { network: n, typha: decision, nodeCount: 300, imageRegistry: "mirror.local/calico-mirror" },
                    );
                    const all = [...objects, ...patchTypha(objs.filter(isTyphaObject), decision)].filter(
                        (o) => !o.apiVersion.startsWith("crd.projectcalico.org/"),
                    );
                    assert.ok(all.length > 20);
                    for (const o of all) {
                        try {
                            await validate(o);
                        } catch (e) {
                            assert.fail(`${o.apiVersion} ${o.kind} ${o.metadata.name}: ${(e as Error).message}`);
                        }
                    }
                });
            }
        }
        it("an invalid object is rejected (the check can fail)", async () => {
            const ds = JSON.parse(JSON.stringify(manifest("v3.26", "calico").find((o) => o.kind === "DaemonSet")));
            ds.spec.template.spec.containers[0].env.push({ name: "NO_DEFAULT_POOLS", value: true });
            await assert.rejects(validate(ds), /must be string/);
        });
    });

    describe("Typha manifests", () => {
        for (const [dir, pdbApi] of [
            ["v3.8", "policy/v1beta1"],
            ["v3.26", "policy/v1"],
            ["v3.32", "policy/v1"],
        ]) {
            it(`${dir}: replicas only on calico-typha, PDB ${pdbApi}, typha_service_name calico-typha`, () => {
                const objs = manifest(dir, "calico-typha");
                const decision = sizeTypha({ nodeCount: 1000, enabled: "auto", production: false }).decision;
                const typha = patchTypha(objs.filter(isTyphaObject), decision);
                assert.strictEqual(typha.find((o) => o.kind === "Deployment")!.spec.replicas, 5);
                assert.strictEqual(typha.find((o) => o.kind === "PodDisruptionBudget")!.apiVersion, pdbApi);
                const {
                    parts: { objects },
                } = patchCalico(
                    objs.filter((o) => !isTyphaObject(o)),
                    {
                        network: settings(KNOWN_CALICO.find((k) => k.dir === dir)!.version, "ipip").network,
                        typha: decision,
                        nodeCount: 1000,
                    },
                );
                assert.strictEqual(
                    objects.find((o) => o.metadata.name === "calico-kube-controllers" && o.kind === "Deployment")!.spec
                        .replicas,
                    1,
                );
                assert.strictEqual(
                    objects.find((o) => o.metadata.name === "calico-config")!.data.typha_service_name,
                    "calico-typha",
                );
            });
        }
        it("v3.8: Typha cannot stall a first install, so it needs no extra tolerations", () => {
            // Nodes are NotReady (not-ready:NoSchedule taint) until install-cni writes the CNI config.
            // install-cni must not need Typha, and calico-node must tolerate that taint; then nodes turn
            // Ready and Typha (which tolerates only CriticalAddonsOnly in v3.8) can be scheduled.
            const objs = manifest("v3.8", "calico-typha");
            const ds = objs.find((o) => o.kind === "DaemonSet")!.spec.template.spec;
            const installCni = ds.initContainers.find((c: { name: string }) => c.name === "install-cni");
            assert.ok(!JSON.stringify(installCni).includes("TYPHA"), "install-cni does not depend on Typha");
            assert.ok(
                ds.tolerations.some(
                    (t: { effect?: string; operator: string; key?: string }) =>
                        t.operator === "Exists" && t.effect === "NoSchedule" && !t.key,
                ),
            );
            const typha = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "calico-typha")!.spec.template
                .spec;
            assert.deepStrictEqual(typha.tolerations, [{ key: "CriticalAddonsOnly", operator: "Exists" }]);
            assert.strictEqual(typha.hostNetwork, true);
        });
    });
});

describe("Calico under mocks", () => {
    before(function () {
        if (!fs.existsSync(DIR)) this.skip();
    });
    const K8S_TYPES = (t: string) => t.startsWith("kubernetes:") && !t.startsWith("pulumi:");

    it("registers CRDs before custom resources and the IPPool before calico-node, all after the nodes", async () => {
        const { regs } = await build(tutorialRaw());
        const idx = (type: string, name: string) => regs.indexOf(byName(regs, type, name));
        const pool = idx("kubernetes:crd.projectcalico.org/v1:IPPool", "ippool-cluster-default-ipv4-ippool");
        const crd = idx(
            "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinition",
            "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
        );
        const node = idx("kubernetes:apps/v1:DaemonSet", "daemonset-kube-system-calico-node");
        assert.ok(crd < pool && pool < node, `${crd} ${pool} ${node}`);
        const last = byName(regs, "command:local:Command", "wave-3-complete").urn;
        // The network check's probes and baseline run before the nodes (test/verify/wiring.test.ts).
        for (const r of regs.filter((x) => K8S_TYPES(x.type) && x.custom && !x.parent.includes(":NetworkCheck::")))
            assert.ok(ancestors(regs, r.urn).has(last), `${r.name} does not wait for the nodes`);
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
    it("switching ipip to bgp or crossSubnet changes the IPPool only (and re-runs the network check); vxlan also rolls calico-node", async () => {
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
        const poolAndCheck = ["ippool-cluster-default-ipv4-ippool", "job-flannel-to-calico-f2c-check"];
        assert.deepStrictEqual(changed(await inputs("bgp")), poolAndCheck);
        assert.deepStrictEqual(changed(await inputs("crossSubnet")), poolAndCheck);
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
            calico: { version: "v3.26.1", manifest: { path: path.join(DIR, "v3.8", "calico.yaml") } },
        });
        await assert.rejects(
            build(raw),
            /uses apiextensions\.k8s\.io\/v1beta1, which Kubernetes 1\.24\.3 no longer serves/,
        );
    });
});

describe("calico-node's await timeout", () => {
    it("grows with the node count, in buckets so appending a node rarely changes it", async () => {
        const { calicoNodeTimeoutSeconds } = await import("../../calico/patches");
        assert.strictEqual(calicoNodeTimeoutSeconds(7), calicoNodeTimeoutSeconds(8));
        assert.ok(calicoNodeTimeoutSeconds(3) >= 600 + 60 * 3);
        assert.ok(calicoNodeTimeoutSeconds(5000) >= 60 * 5000);
        assert.ok(calicoNodeTimeoutSeconds(251) > calicoNodeTimeoutSeconds(250));
    });
});
