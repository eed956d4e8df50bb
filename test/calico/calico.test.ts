/** Calico from the real upstream manifests (CALICO_MANIFEST_DIR): the patches, per version and mode. */
import * as assert from "assert";
import * as fs from "fs";
import { isTyphaObject, parseManifest } from "../../calico/manifest";
import { patchCalico } from "../../calico/patches";
import { loadManifest } from "../../calico/source";
import { sizeTypha } from "../../settings/typha";
import { KNOWN_CALICO } from "../../calico/versions";
import { manifestDir } from "../helpers/config";
import { diffPaths, envOf, manifest, MODES, settings, VERSION } from "../helpers/calico";

describe("Calico manifests", () => {
    before(function () {
        if (!fs.existsSync(manifestDir())) this.skip();
    });

    for (const known of KNOWN_CALICO) {
        for (const variant of ["calico", "calico-typha"] as const) {
            it(`${known.dir}/${variant}.yaml matches its pinned sha256 and loads through CALICO_MANIFEST_DIR`, async () => {
                const s = settings(known.version, "ipip");
                const m = await loadManifest(s.calico, variant, {
                    manifestDir: manifestDir(),
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
                    } = patchCalico(orig, {
                        network: settings(known.version, mode).network,
                        typha,
                        version: VERSION[known.version],
                    });
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
                        /^\/spec\/template\/metadata\/annotations(\/|$)/,
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
        const keep = patchCalico(orig, {
            network: settings("v3.26.5", "ipip").network,
            typha,
            version: VERSION["v3.26.5"],
        });
        assert.strictEqual(keep.parts.objects.find((o) => o.metadata.name === "calico-config")!.data.veth_mtu, "0");
        const set = patchCalico(orig, {
            network: settings("v3.26.5", "ipip", { mtu: 1500 }).network,
            typha,
            version: VERSION["v3.26.5"],
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
            version: VERSION["v3.32.1"],
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
            () => patchCalico(orig, { network: settings("v3.8.9", "ipip").network, typha, version: VERSION["v3.8.9"] }),
            /lacks Deployment calico-kube-controllers/,
        );
        assert.throws(
            () => parseManifest("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "x.yaml"),
            /lacks ConfigMap calico-config, DaemonSet calico-node/,
        );
    });
});
