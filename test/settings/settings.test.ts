/** Stack settings: the tutorial's cluster, and problems with ranges, modes and nodes. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { rawConfigFromStackFile } from "../../settings/sources";
import { HOST_KEY, tutorialRaw } from "../helpers/config";
import { ok, preview, rejects } from "../helpers/settings";

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
    });
});
