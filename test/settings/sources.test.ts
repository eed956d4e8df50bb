/** Stack settings: versions as strings, and config read from a stack file or the runtime. */
import * as assert from "assert";
import { loadSettings } from "../../settings";
import { Secret } from "../../settings/secret";
import { rawConfigFromStackFile, rawConfigFromRuntime } from "../../settings/sources";
import { tutorialRaw } from "../helpers/config";
import { rejects } from "../helpers/settings";

describe("stack settings: versions and config sources", () => {
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
});
