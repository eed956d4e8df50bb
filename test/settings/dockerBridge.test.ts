/** docker0's network after the migration: chosen from docker's pools, or cluster.dockerBridgeCidr, checked. */
import * as assert from "assert";
import { loadSettings, RawConfig, Settings } from "../../settings";
import { bipOf, chooseDockerBridge, DOCKER_BRIDGE_CANDIDATES } from "../../settings/dockerBridge";
import { Cidr, parseCidr } from "../../settings/net";
import { HOST_KEY, tutorialRaw } from "../helpers/config";

const cidr = (t: string): Cidr => {
    const p = parseCidr(t);
    assert.ok(p.ok, t);
    return p.cidr;
};
const ctx = { stack: "dev", dryRun: false };
function ok(raw: RawConfig): Settings {
    const r = loadSettings(raw, ctx);
    if (!r.ok) assert.fail(r.problems.join("\n"));
    return r.settings;
}
function problemsFor(raw: RawConfig, keyText: string): string[] {
    const r = loadSettings(raw, ctx);
    assert.ok(!r.ok, "expected the config to be rejected");
    return r.problems.filter((p) => p.startsWith(`flannel-to-calico:${keyText} `));
}

describe("docker0's network (cluster.dockerBridgeCidr)", () => {
    it("is docker's own default, 172.17.0.1/16, for the tutorial's ranges", () => {
        const s = ok(tutorialRaw());
        assert.strictEqual(s.cluster.dockerBridge.text, "172.17.0.0/16");
        assert.strictEqual(bipOf(s.cluster.dockerBridge), "172.17.0.1/16");
    });
    it("moves on to the next of docker's pools when a pod range of 172.16.0.0/12 covers 172.17-31", () => {
        const nodes = [{ name: "a", address: "10.0.0.5", hostKey: HOST_KEY }];
        const s = ok(tutorialRaw({ nodes, cluster: { podCidr: "172.16.0.0/12" } }));
        assert.strictEqual(bipOf(s.cluster.dockerBridge), "192.168.0.1/20");
    });
    it("avoids the service range and the node networks too", () => {
        assert.strictEqual(chooseDockerBridge([cidr("172.17.0.0/16"), cidr("172.18.0.0/15")])?.text, "172.20.0.0/16");
        const s = ok(tutorialRaw({ cluster: { serviceCidr: "172.17.0.0/16", nodeCidrs: ["172.18.0.0/24"] } }));
        assert.strictEqual(s.cluster.dockerBridge.text, "172.19.0.0/16");
    });
    it("lists docker's default pools in docker's order (172.17-31 as /16, then 192.168 as /20)", () => {
        assert.strictEqual(DOCKER_BRIDGE_CANDIDATES.length, 31);
        assert.deepStrictEqual(
            [DOCKER_BRIDGE_CANDIDATES[0], DOCKER_BRIDGE_CANDIDATES[14], DOCKER_BRIDGE_CANDIDATES[30]].map(
                (c) => c.text,
            ),
            ["172.17.0.0/16", "172.31.0.0/16", "192.168.240.0/20"],
        );
    });
    it("asks for the key when every pool is taken", () => {
        const nodes = [{ name: "a", address: "10.0.0.5", hostKey: HOST_KEY }];
        const raw = tutorialRaw({ nodes, cluster: { podCidr: "172.16.0.0/12", serviceCidr: "192.168.0.0/16" } });
        const [p] = problemsFor(raw, "cluster.dockerBridgeCidr");
        assert.match(
            p ?? "",
            /every one of docker's default pools .* overlaps flannel-to-calico:cluster.podCidr, flannel-to-calico:cluster.serviceCidr/,
        );
    });
    it("takes an override outside the pod, service and node ranges", () => {
        const s = ok(tutorialRaw({ cluster: { dockerBridgeCidr: "10.199.0.0/24" } }));
        assert.strictEqual(bipOf(s.cluster.dockerBridge), "10.199.0.1/24");
    });
    it("refuses an override inside the pod range, naming both keys", () => {
        const [p] = problemsFor(
            tutorialRaw({ cluster: { dockerBridgeCidr: "172.30.8.0/21" } }),
            "cluster.dockerBridgeCidr",
        );
        assert.match(p ?? "", /172\.30\.8\.0\/21.*overlaps flannel-to-calico:cluster\.podCidr 172\.30\.0\.0\/16/);
    });
    it("refuses an override overlapping the service range or a node network", () => {
        const raw = tutorialRaw({ cluster: { dockerBridgeCidr: "10.254.0.0/24", nodeCidrs: ["10.254.0.0/28"] } });
        const ps = problemsFor(raw, "cluster.dockerBridgeCidr").join("\n");
        assert.match(ps, /overlaps flannel-to-calico:cluster\.serviceCidr/);
    });
    it("refuses a network with host bits set, and one too small for a bridge", () => {
        assert.match(
            problemsFor(
                tutorialRaw({ cluster: { dockerBridgeCidr: "172.17.0.1/16" } }),
                "cluster.dockerBridgeCidr",
            )[0] ?? "",
            /host bits/,
        );
        assert.match(
            problemsFor(tutorialRaw({ cluster: { dockerBridgeCidr: "10.9.9.8/31" } }), "cluster.dockerBridgeCidr")[0] ??
                "",
            /at least a \/30/,
        );
    });
    it("refuses a node address inside docker0's network, chosen or set", () => {
        const nodes = [{ name: "a", address: "172.17.3.4", hostKey: HOST_KEY }];
        const [p] = problemsFor(tutorialRaw({ nodes }), "nodes[0].address");
        assert.match(
            p ?? "",
            /inside cluster\.dockerBridgeCidr 172\.17\.0\.0\/16; node addresses and docker0's network/,
        );
        ok(tutorialRaw({ nodes, cluster: { nodeCidrs: ["172.17.3.0/24"] } }));
    });
});
