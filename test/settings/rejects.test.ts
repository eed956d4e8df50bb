/** Stack settings: problems with the Calico version and manifest, Typha, waves, SSH and keys. */
import * as assert from "assert";
import { loadSettings } from "../../settings";
import { Secret } from "../../settings/secret";
import { FAKE_PRIVATE_KEY, generatedRaw, tutorialRaw } from "../helpers/config";
import { ok, preview, problems, rejects, up } from "../helpers/settings";

describe("stack settings (calico, typha, rollout, ssh and keys)", () => {
    describe("rejects, naming the key, the value and the fix", () => {
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
});
