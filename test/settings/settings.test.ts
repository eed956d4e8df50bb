import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadSettings, RawConfig, Settings } from "../../settings";
import { Secret } from "../../settings/secret";
import { rawConfigFromStackFile, rawConfigFromRuntime } from "../../settings/sources";
import { FAKE_PRIVATE_KEY, generatedRaw, HOST_KEY, tutorialRaw } from "../helpers/config";

const up = { stack: "dev", dryRun: false };
const preview = { stack: "dev", dryRun: true };

function ok(raw: RawConfig, ctx = up): Settings {
    const r = loadSettings(raw, ctx);
    if (!r.ok) assert.fail(`expected valid settings, got:\n${r.problems.join("\n")}`);
    return r.settings;
}
function problems(raw: RawConfig, ctx = up): string[] {
    const r = loadSettings(raw, ctx);
    assert.ok(!r.ok, "expected the config to be rejected");
    return [...r.problems];
}
/** Exactly one problem mentions `keyText`, and it contains every fragment. */
function rejects(raw: RawConfig, keyText: string, ...fragments: string[]): string {
    const ps = problems(raw);
    const hits = ps.filter((p) => p.startsWith(`flannel-to-calico:${keyText} `));
    assert.ok(hits.length >= 1, `no problem names ${keyText}; got:\n${ps.join("\n")}`);
    for (const f of fragments)
        assert.ok(
            hits.some((h) => h.includes(f)),
            `no problem for ${keyText} mentions "${f}"; got:\n${hits.join("\n")}`,
        );
    return hits[0];
}

describe("stack settings", () => {
    describe("the tutorial's cluster", () => {
        it("loads with the documented defaults", () => {
            const s = ok(tutorialRaw());
            assert.strictEqual(s.cluster.podCidr.text, "172.30.0.0/16");
            assert.strictEqual(s.cluster.kubernetesVersion.text, "1.14.2");
            assert.strictEqual(s.network.mode, "ipip");
            assert.strictEqual(s.network.blockSize, 26);
            assert.strictEqual(s.network.natOutgoing, true);
            assert.deepStrictEqual(s.network.bgp, { asNumber: 64512, nodeToNodeMesh: true, peers: [] });
            assert.strictEqual(s.ssh.user, "root");
            assert.strictEqual(s.nodes[1].port, 22);
            assert.strictEqual(s.calico.manifest.kind, "known");
            assert.strictEqual(s.typha.enabled, false);
            assert.strictEqual(s.rollout.waveSize, 1);
            assert.deepStrictEqual(s.rollout.waves, [["zhangjun-k8s01"], ["zhangjun-k8s02"], ["zhangjun-k8s03"]]);
        });
        it("loads Pulumi.dev.yaml as committed, for preview (no key committed)", () => {
            const text = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"), "utf8");
            const { raw, problems: ps } = rawConfigFromStackFile(text);
            assert.deepStrictEqual(ps, []);
            const s = ok(raw, preview);
            assert.strictEqual(s.nodes.length, 3);
            assert.strictEqual(s.calico.versionText, "v3.8.9");
            assert.strictEqual(s.cluster.serviceCidr.text, "10.254.0.0/16");
        });
    });

    describe("rejects, naming the key, the value and the fix", () => {
        it("a malformed pod CIDR", () => {
            rejects(
                tutorialRaw({ cluster: { podCidr: "192.168.0.0./16" } }),
                "cluster.podCidr",
                "192.168.0.0./16",
                "172.30.0.0/16",
            );
        });
        it("a CIDR with host bits set", () => {
            rejects(tutorialRaw({ cluster: { serviceCidr: "10.254.1.0/16" } }), "cluster.serviceCidr", "10.254.0.0/16");
        });
        it("a prefix out of range", () => {
            rejects(tutorialRaw({ cluster: { podCidr: "172.30.0.0/33" } }), "cluster.podCidr", "/33");
        });
        it("pod and service ranges that overlap", () => {
            rejects(
                tutorialRaw({ cluster: { serviceCidr: "172.30.128.0/17" } }),
                "cluster.serviceCidr",
                "overlaps",
                "172.30.0.0/16",
            );
        });
        it("a node address inside the pod range", () => {
            const nodes = [{ name: "a", address: "172.30.5.5", hostKey: HOST_KEY }];
            rejects(tutorialRaw({ nodes }), "nodes[0].address", "172.30.5.5", "cluster.podCidr");
        });
        it("a node address inside the service range", () => {
            const nodes = [{ name: "a", address: "10.254.0.9", hostKey: HOST_KEY }];
            rejects(tutorialRaw({ nodes }), "nodes[0].address", "cluster.serviceCidr");
        });
        it("a node network that overlaps the pod range", () => {
            rejects(
                tutorialRaw({ cluster: { nodeCidrs: ["172.16.0.0/12"] } }),
                "cluster.nodeCidrs[0]",
                "overlaps",
                "podCidr",
            );
        });
        it("an unknown mode", () => {
            rejects(
                tutorialRaw({ network: { mode: "ipvlan" } }),
                "network.mode",
                '"ipvlan"',
                "ipip, bgp, crossSubnet, vxlan",
            );
        });
        it("duplicate node names", () => {
            const nodes = [
                { name: "a", address: "172.27.0.1", hostKey: HOST_KEY },
                { name: "a", address: "172.27.0.2", hostKey: HOST_KEY },
            ];
            rejects(tutorialRaw({ nodes }), "nodes[1].name", '"a"', "nodes[0]");
        });
        it("duplicate node addresses", () => {
            const nodes = [
                { name: "a", address: "172.27.0.1", hostKey: HOST_KEY },
                { name: "b", address: "172.27.0.1", hostKey: HOST_KEY },
            ];
            rejects(tutorialRaw({ nodes }), "nodes[1].address", "172.27.0.1", "nodes[0]");
        });
        it("a node without hostKey", () => {
            const nodes = [{ name: "a", address: "172.27.0.1" }];
            rejects(tutorialRaw({ nodes }), "nodes[0].hostKey", "ssh-keyscan", "insecureIgnoreHostKeys");
        });
        it("accepts a node without hostKey when insecureIgnoreHostKeys is true, with a warning", () => {
            const nodes = [{ name: "a", address: "172.27.0.1" }];
            const s = ok(tutorialRaw({ nodes, ssh: { insecureIgnoreHostKeys: true } }));
            assert.strictEqual(s.nodes[0].hostKey, undefined);
            assert.ok(s.warnings.some((w) => w.includes("insecureIgnoreHostKeys")));
        });
        it("a malformed host key", () => {
            rejects(
                tutorialRaw({ nodes: [{ name: "a", address: "172.27.0.1", hostKey: "AAAA" }] }),
                "nodes[0].hostKey",
                "ssh-ed25519",
            );
        });
        it("Calico v3.8 on Kubernetes 1.22 and later (apiextensions.k8s.io/v1beta1)", () => {
            rejects(tutorialRaw({ cluster: { kubernetesVersion: "1.22.0" } }), "calico.version", "v1beta1", "1.22");
        });
        it("Calico v3.26 on Kubernetes below 1.21 (policy/v1)", () => {
            rejects(
                tutorialRaw({ cluster: { kubernetesVersion: "1.20.4" }, calico: { version: "v3.26.5" } }),
                "calico.version",
                "policy/v1",
            );
        });
        it("Calico v3.32 on Kubernetes below 1.21", () => {
            rejects(
                tutorialRaw({ cluster: { kubernetesVersion: "1.18.0" }, calico: { version: "v3.32.1" } }),
                "calico.version",
                "policy/v1",
            );
        });
        it("gates a custom manifest by its minor version too", () => {
            rejects(
                tutorialRaw({
                    cluster: { kubernetesVersion: "1.24.0" },
                    calico: { version: "v3.8.4", manifest: { path: "/srv/calico.yaml" } },
                }),
                "calico.version",
                "v1beta1",
            );
        });
        it("warns outside the range Calico tested", () => {
            const s = ok(tutorialRaw({ cluster: { kubernetesVersion: "1.18.3" } }));
            assert.ok(
                s.warnings.some((w) => w.includes("1.13-1.15")),
                s.warnings.join("\n"),
            );
            const t = ok(tutorialRaw({ cluster: { kubernetesVersion: "1.30.0" }, calico: { version: "v3.32.1" } }));
            assert.ok(t.warnings.some((w) => w.includes("1.34-1.36")));
            const u = ok(tutorialRaw({ cluster: { kubernetesVersion: "1.15.1" } }));
            assert.ok(!u.warnings.some((w) => w.includes("tested")));
        });
        it("a Calico version with no pinned manifest", () => {
            rejects(
                tutorialRaw({ calico: { version: "v3.9.0" } }),
                "calico.version",
                "v3.8.9, v3.26.5, v3.32.1",
                "calico.manifest",
            );
        });
        it("a downloaded manifest without sha256", () => {
            rejects(
                tutorialRaw({ calico: { version: "v3.8.9", manifest: { url: "https://example.com/calico.yaml" } } }),
                "calico.manifest.sha256",
                "sha256sum",
            );
        });
        it("Typha replicas outside 1..20", () => {
            rejects(generatedRaw(300, { typha: { replicas: 21 } }), "typha.replicas", "21", "1 to 20");
            rejects(generatedRaw(300, { typha: { replicas: 0 } }), "typha.replicas", "1 to 20");
        });
        it("Typha replicas not below the node count", () => {
            rejects(tutorialRaw({ typha: { enabled: true, replicas: 3 } }), "typha.replicas", "5473");
        });
        it("a wave size below 1", () => {
            rejects(tutorialRaw({ rollout: { waveSize: 0 } }), "rollout.waveSize", "at least 1");
        });
        it("a missing SSH private key when pulumi up will run the scripts", () => {
            rejects(
                tutorialRaw({ ssh: { privateKey: undefined } }),
                "ssh.privateKey",
                "pulumi config set --path --secret",
            );
        });
        it("does not need the SSH key for preview or the offline plan", () => {
            const raw = tutorialRaw({ ssh: { user: "root" } });
            (raw.ssh as Record<string, unknown>).privateKey = undefined;
            ok(raw, preview);
        });
        it("a private key in plain text, without echoing it", () => {
            const msg = rejects(
                tutorialRaw({ ssh: { privateKey: FAKE_PRIVATE_KEY } }),
                "ssh.privateKey",
                "plain text",
                "--secret",
            );
            assert.ok(!msg.includes("TEST-ONLY"));
        });
        it("kubeconfig content in plain text, without echoing it", () => {
            const msg = rejects(
                tutorialRaw({
                    cluster: { kubeconfig: "apiVersion: v1\nclusters: []\nusers:\n- user: {token: hunter2}\n" },
                }),
                "cluster.kubeconfig",
                "--secret",
            );
            assert.ok(!msg.includes("hunter2"));
        });
        it("a missing context: never the ambient kubeconfig context", () => {
            const raw = tutorialRaw();
            delete (raw.cluster as Record<string, unknown>).context;
            rejects(raw, "cluster.context", "required");
        });
        it("unknown keys, so a typo is not silently ignored", () => {
            rejects(tutorialRaw({ network: { mdoe: "bgp" } }), "network.mdoe", "unknown key");
        });
        it("BGP settings with vxlan", () => {
            rejects(tutorialRaw({ network: { mode: "vxlan", bgp: { asNumber: 64512 } } }), "network.bgp", "vxlan");
        });
        it("a block size larger than the pod range", () => {
            rejects(
                tutorialRaw({ cluster: { podCidr: "172.30.0.0/24" }, network: { blockSize: 22 } }),
                "network.blockSize",
                "/22",
            );
        });
        it("every problem at once", () => {
            const ps = problems(
                tutorialRaw({
                    cluster: { podCidr: "nope", serviceCidr: "10.0.0.0/33" },
                    network: { mode: "x" },
                    rollout: { waveSize: -1 },
                }),
            );
            for (const k of ["cluster.podCidr", "cluster.serviceCidr", "network.mode", "rollout.waveSize"]) {
                assert.ok(
                    ps.some((p) => p.startsWith(`flannel-to-calico:${k} `)),
                    `${k} missing from:\n${ps.join("\n")}`,
                );
            }
        });
        it("never echoes a secret in any message, even one about the secret value itself", () => {
            const secret = () => new Secret("SUPERSECRET");
            const raw = tutorialRaw({
                ssh: { privateKey: secret(), bastion: { host: "bad host!", privateKey: secret() } },
                // Keys that are not secrets, set with --secret: their messages show the value.
                cluster: { kubeconfig: secret(), name: secret(), context: secret() },
                typha: { enabled: secret() },
            });
            Object.assign(raw, { rollout: { waveSize: 0 }, network: secret() });
            const r = loadSettings(raw, up);
            assert.ok(!r.ok);
            const text = JSON.stringify(r);
            assert.ok(!text.includes("SUPERSECRET"), text);
            for (const k of ["cluster.name", "cluster.context", "network", "typha.enabled"]) {
                assert.ok(
                    r.problems.some((p) => p.startsWith(`flannel-to-calico:${k} is [secret]`)),
                    `${k}: ${text}`,
                );
            }
        });
    });

    describe("versions", () => {
        it("refuses a version YAML read as a number, saying to quote it", () => {
            rejects(tutorialRaw({ cluster: { kubernetesVersion: 1.2 } }), "cluster.kubernetesVersion", "quote it");
            rejects(tutorialRaw({ calico: { version: 3.26 } }), "calico.version", "quote it");
        });
        it("does not blame calico.version for a Kubernetes version read as a number", () => {
            const r = loadSettings(tutorialRaw({ cluster: { kubernetesVersion: 1.3 } }), { stack: "t", dryRun: true });
            assert.ok(!r.ok && r.problems.every((p) => !p.includes("calico.version")), JSON.stringify(r));
        });
    });

    describe("stack files and runtime config", () => {
        it("shows encrypted values as [secret] and never decrypts them", () => {
            const text =
                "config:\n  flannel-to-calico:ssh:\n    privateKey:\n      secure: v1:abc\n  flannel-to-calico:cluster:\n    kubeconfig:\n      secure: v1:def\n  kubernetes:context: x\n";
            const { raw, problems: ps } = rawConfigFromStackFile(text);
            assert.deepStrictEqual(ps, []);
            const key = (raw.ssh as Record<string, unknown>).privateKey;
            assert.ok(Secret.is(key));
            assert.strictEqual((key as Secret).reveal(), "[secret]");
        });
        it("reads every key the stack sets at pulumi up, so an unknown key is a problem there too", () => {
            const { raw, problems: ps } = rawConfigFromRuntime(
                { "flannel-to-calico:network": '{"mode":"bgp"}', "flannel-to-calico:clustre": "{}", "aws:region": "x" },
                () => false,
            );
            assert.deepStrictEqual(raw, { network: { mode: "bgp" } });
            assert.strictEqual(ps.length, 1);
            assert.match(ps[0], /flannel-to-calico:clustre is not a config key of this program/);
        });
        it("says to use --path when a nested key was set as a key of its own", () => {
            const { problems: ps } = rawConfigFromRuntime({ "flannel-to-calico:network.mode": "vxlan" }, () => false);
            assert.match(
                ps[0],
                /flannel-to-calico:network\.mode is a key of its own, not network's field mode: it was set without --path/,
            );
            assert.match(ps[0], /pulumi config set --path flannel-to-calico:network\.mode VALUE/);
            const file = rawConfigFromStackFile("config:\n  flannel-to-calico:network.mode: vxlan\n");
            assert.match(file.problems[0], /set without --path/);
        });
        it("reports an unknown top-level key of this program", () => {
            const { problems: ps } = rawConfigFromStackFile("config:\n  flannel-to-calico:clustre: {}\n");
            assert.match(ps[0], /flannel-to-calico:clustre is not a config key/);
        });
        it("wraps credentials of encrypted runtime keys as secrets", () => {
            const { raw } = rawConfigFromRuntime(
                {
                    "flannel-to-calico:ssh": JSON.stringify({
                        privateKey: "K",
                        bastion: { host: "b", privateKey: "B" },
                    }),
                },
                (k) => k === "flannel-to-calico:ssh",
            );
            const ssh = raw.ssh as { privateKey: unknown; bastion: { privateKey: unknown } };
            assert.ok(Secret.is(ssh.privateKey) && Secret.is(ssh.bastion.privateKey));
            assert.strictEqual(
                JSON.stringify(raw),
                JSON.stringify({ ssh: { privateKey: "[secret]", bastion: { host: "b", privateKey: "[secret]" } } }),
            );
        });
    });

    describe("waves", () => {
        it("refuses a wave larger than a quarter of the cluster unless rollout.allowLargeWaves acknowledges it", () => {
            rejects(
                generatedRaw(100, { rollout: { waveSize: 26 } }),
                "rollout.waveSize",
                "more than a quarter of the cluster",
            );
            assert.strictEqual(ok(generatedRaw(100, { rollout: { waveSize: 25 } })).rollout.waveSize, 25);
            assert.strictEqual(
                ok(generatedRaw(100, { rollout: { waveSize: 100, allowLargeWaves: true } })).rollout.waves.length,
                1,
            );
        });
        it("takes rollout.recheck as a string, and refuses an object", () => {
            assert.strictEqual(ok(tutorialRaw({ rollout: { recheck: "2026-12-01" } })).rollout.recheck, "2026-12-01");
            rejects(tutorialRaw({ rollout: { recheck: { when: "now" } } }), "rollout.recheck", "expected a string");
        });
        it("defaults to at most ten waves", () => {
            assert.strictEqual(ok(generatedRaw(100)).rollout.waves.length, 10);
            assert.strictEqual(ok(generatedRaw(1000)).rollout.waveSize, 100);
        });
        it("keeps existing nodes in their wave when a node is appended (explicit waveSize)", () => {
            const a = ok(generatedRaw(7, { rollout: { waveSize: 3, allowLargeWaves: true } }));
            const b = ok(generatedRaw(8, { rollout: { waveSize: 3, allowLargeWaves: true } }));
            assert.deepStrictEqual(b.rollout.waves.slice(0, 2), a.rollout.waves.slice(0, 2));
            assert.deepStrictEqual(b.rollout.waves[2].slice(0, 1), a.rollout.waves[2]);
        });
    });
});

describe("calico.adopt", () => {
    it("is refused below Kubernetes 1.22, where server-side apply is off", () => {
        const r = loadSettings(tutorialRaw({ calico: { version: "v3.8.9", adopt: true } }), {
            stack: "t",
            dryRun: true,
        });
        assert.ok(
            !r.ok &&
                r.problems.some(
                    (p) => p.startsWith("flannel-to-calico:calico.adopt is true") && p.includes("pulumi import"),
                ),
        );
    });
});

describe("network warnings", () => {
    const s = (raw: RawConfig) => {
        const r = loadSettings(raw, { stack: "t", dryRun: true });
        assert.ok(r.ok, JSON.stringify(r));
        return (r as { settings: Settings }).settings;
    };
    it("warns about a full BGP mesh above 100 nodes, not at 100", () => {
        assert.ok(
            s(generatedRaw(101, { network: { mode: "bgp" } })).warnings.some((w) =>
                w.includes("full mesh above 100 nodes"),
            ),
        );
        assert.ok(!s(generatedRaw(100, { network: { mode: "bgp" } })).warnings.some((w) => w.includes("full mesh")));
        assert.ok(
            !s(
                generatedRaw(101, {
                    network: {
                        mode: "bgp",
                        bgp: { nodeToNodeMesh: false, peers: [{ name: "rr", peerIP: "10.9.0.1", asNumber: 64512 }] },
                    },
                }),
            ).warnings.some((w) => w.includes("full mesh")),
        );
    });
    it("warns about pure bgp across subnets and suggests crossSubnet", () => {
        const nodes = [
            { name: "a", address: "172.27.1.10", hostKey: HOST_KEY },
            { name: "b", address: "172.27.2.10", hostKey: HOST_KEY },
        ];
        const w = s(tutorialRaw({ nodes, network: { mode: "bgp" } })).warnings.find((x) =>
            x.includes("different subnets"),
        );
        assert.ok(w && w.includes("crossSubnet") && w.includes("judged by /24"));
        assert.ok(
            !s(
                tutorialRaw({ nodes, network: { mode: "bgp" }, cluster: { nodeCidrs: ["172.27.0.0/16"] } }),
            ).warnings.some((x) => x.includes("different subnets")),
        );
        assert.ok(
            !s(tutorialRaw({ nodes, network: { mode: "crossSubnet" } })).warnings.some((x) =>
                x.includes("different subnets"),
            ),
        );
    });
});
