/** Calico objects against schemas: the CRDs' openAPIV3Schema (ajv), built-in kinds (kubernetes-models), Typha. */
import * as assert from "assert";
import * as fs from "fs";
import Ajv from "ajv";
import { isTyphaObject, K8sObject } from "../../calico/manifest";
import { patchCalico, patchTypha } from "../../calico/patches";
import { bgpObjects, ipPool, poolModes } from "../../calico/managed";
import { NetworkMode } from "../../settings";
import { sizeTypha } from "../../settings/typha";
import { KNOWN_CALICO } from "../../calico/versions";
import { manifestDir } from "../helpers/config";
import { manifest, MODES, settings, VERSION, jsSchema } from "../helpers/calico";

describe("Calico manifests against schemas", () => {
    before(function () {
        if (!fs.existsSync(manifestDir())) this.skip();
    });
    describe("schemas", () => {
        const crds = () => manifest("v3.32", "calico").filter((o) => o.kind === "CustomResourceDefinition");
        const ajv = new Ajv({ strict: false, allErrors: true });
        const validator = (plural: string) =>
            ajv.compile(
                jsSchema(
                    crds().find((c) => c.metadata.name === `${plural}.crd.projectcalico.org`)!.spec.versions[0].schema
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
                        {
                            network: n,
                            typha: decision,
                            version: VERSION[known.version],
                            imageRegistry: "mirror.local/calico-mirror",
                        },
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
                        version: VERSION[KNOWN_CALICO.find((k) => k.dir === dir)!.version],
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
        it("v3.8: Typha gets the tolerations v3.26.5 has, so calico-node can wait on it during the window", () => {
            // Upstream v3.8 Typha tolerates only CriticalAddonsOnly, so it stays Pending on NotReady nodes
            // (test/calico/ordering.test.ts shows the deadlock); v3.26.5's tolerates every NoSchedule and NoExecute
            // taint.
            const objs = manifest("v3.8", "calico-typha");
            const upstream = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "calico-typha")!.spec
                .template.spec;
            assert.deepStrictEqual(upstream.tolerations, [{ key: "CriticalAddonsOnly", operator: "Exists" }]);
            const decision = sizeTypha({ nodeCount: 300, enabled: "auto", production: false }).decision;
            const patched = patchTypha(objs.filter(isTyphaObject), decision).find((o) => o.kind === "Deployment")!;
            const later = manifest("v3.26", "calico-typha").find(
                (o) => o.kind === "Deployment" && o.metadata.name === "calico-typha",
            )!.spec.template.spec.tolerations;
            assert.deepStrictEqual(patched.spec.template.spec.tolerations, later);
            assert.strictEqual(patched.spec.template.spec.hostNetwork, true);
        });
    });
});
