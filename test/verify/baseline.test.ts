/**
 * The baseline Job's program in the same stand-in cluster: it records failures without failing,
 * the check then reports them as pre-existing, and it stops on NetworkPolicies nobody acknowledged.
 */
import * as assert from "assert";
import { CheckCluster, failures, requirePodNet } from "../helpers/checkCluster";

describe("the network check's baseline in network namespaces (busybox only)", function () {
    this.timeout(240000);
    let c: CheckCluster;
    before(async function () {
        requirePodNet(this, "network check baseline");
        c = await CheckCluster.create();
    });
    after(() => c?.destroy());
    afterEach(() => c?.api.clearStore());

    it("baseline: records failures without failing; the check then reports them as pre-existing", async () => {
        // Breakages the Service check cannot see (its random pick would make the counts vary).
        c.net.onNode(3, "iptables -A FORWARD -s 10.244.3.0/24 -d 10.244.1.0/24 -p tcp --syn -j DROP");
        try {
            const b = await c.check("baseline", { F2C_PAYLOAD_TIMEOUT: "3" });
            assert.strictEqual(b.code, 0, b.stdout);
            assert.match(b.stdout, /baseline recorded in ConfigMap flannel-to-calico\/f2c-baseline-test-1/);
            const cm = JSON.parse(c.api.stored()["f2c-baseline-test-1"]) as { data: Record<string, string> };
            assert.deepStrictEqual(cm.data.failed.trim().split(" "), ["reverse:node-1:node-3"]);
            assert.strictEqual(cm.data.node, "node-1");
            const again = await c.check("check", { F2C_PAYLOAD_TIMEOUT: "3" });
            assert.strictEqual(again.code, 0, again.stdout);
            assert.match(
                again.stdout,
                /^FAIL \(pre-existing\) reverse node-1\(10\.244\.1\.20\) -> node-3\(10\.244\.3\.10\)/m,
            );
            assert.match(again.stdout, /RESULT passed .*1 failed, 1 of them pre-existing/);
            c.net.onNode(1, "iptables -A FORWARD -p icmp -d 10.244.2.10 -j DROP");
            const worse = await c.check("check", { F2C_PAYLOAD_TIMEOUT: "3", F2C_PING_TIMEOUT: "2" });
            assert.strictEqual(worse.code, 1, worse.stdout);
            assert.deepStrictEqual(
                c
                    .termination()
                    .split("\n")
                    .filter((l) => l.startsWith("FAIL"))
                    .map((l) => l.split(":")[0]),
                ["FAIL icmp node-1(10.244.1.20) -> node-2(10.244.2.10)"],
                "the termination message holds the new failures only",
            );
        } finally {
            c.net.onNode(1, "iptables -F FORWARD");
            c.net.onNode(3, "iptables -F FORWARD");
        }
    });

    it("baseline: keeps a record made by an earlier attempt of the same run", async () => {
        assert.strictEqual((await c.check("baseline")).code, 0);
        const second = await c.check("baseline");
        assert.strictEqual(second.code, 0, second.stdout);
        assert.match(second.stdout, /f2c-baseline-test-1 exists from an earlier attempt; kept/);
    });

    it("baseline: fails on NetworkPolicies that are not acknowledged, naming each", async () => {
        c.api.setPolicies(["prod/deny-all", "prod/allow-web", "kube-system/dns"]);
        try {
            const none = await c.check("baseline");
            assert.strictEqual(none.code, 1, none.stdout);
            assert.deepStrictEqual(
                failures(none).map((l) => l.split(":")[0]),
                ["FAIL policy prod/deny-all", "FAIL policy prod/allow-web", "FAIL policy kube-system/dns"],
            );
            assert.match(c.termination(), /FAIL policy prod\/deny-all[^]*verify\.acknowledgeNetworkPolicies/);
            c.api.clearStore();
            const some = await c.check("baseline", {}, { acknowledgeNetworkPolicies: ["prod/*"] });
            assert.deepStrictEqual(
                failures(some).map((l) => l.split(":")[0]),
                ["FAIL policy kube-system/dns"],
            );
            c.api.clearStore();
            const all = await c.check("baseline", {}, { acknowledgeNetworkPolicies: ["prod/*", "kube-system/dns"] });
            assert.strictEqual(all.code, 0, all.stdout);
            c.api.clearStore();
            assert.strictEqual((await c.check("baseline", {}, { acknowledgeNetworkPolicies: ["*"] })).code, 0);
        } finally {
            c.api.setPolicies([]);
        }
    });
});
