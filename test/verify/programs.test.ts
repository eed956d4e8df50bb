/**
 * The probe and checker programs, exactly as the DaemonSet and Jobs run them, in network namespaces
 * standing in for pods on three nodes, with only busybox's applets on PATH. A working path passes;
 * each way of breaking it fails and names the pair; a slow path passes.
 */
import * as assert from "assert";
import { PROBE_PORT } from "../../verify/plan";
import { CheckCluster, failures, NODES, requirePodNet } from "../helpers/checkCluster";

describe("the network check's programs in network namespaces (busybox only)", function () {
    this.timeout(240000);
    let c: CheckCluster;
    before(async function () {
        requirePodNet(this, "network check programs");
        c = await CheckCluster.create();
    });
    after(() => c?.destroy());

    it("passes on a working network: every probe, both directions, 64 KiB, DNS and the Service", async () => {
        const r = await c.check("check");
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        for (const [i, node] of NODES.entries())
            for (const c of ["icmp", "tcp", "payload", "reverse"])
                assert.ok(
                    r.stdout.includes(`PASS ${c} node-1(10.244.1.20) -> ${node}(10.244.${i + 1}.10)`),
                    `${c} to ${node}:\n${r.stdout}`,
                );
        assert.match(
            r.stdout,
            /PASS dns node-1\(10\.244\.1\.20\) -> f2c-probe\.flannel-to-calico\.svc\.cluster\.local -> 10\.244\.250\.10/,
        );
        assert.match(r.stdout, /PASS dns .* kubernetes\.default\.svc\.cluster\.local -> 10\.244\.250\.1/);
        assert.match(r.stdout, /PASS service .* ClusterIP 10\.244\.250\.10:8477: 8 answers/);
        assert.match(r.stdout, /RESULT passed from node-1: 3 probe\(s\), 15 checks, 0 failed/);
        assert.ok(
            c.api.requests().some((q) => q.includes("labelSelector=app.kubernetes.io%2Fname%3Df2c-probe&pretty=false")),
        );
    });

    it("reads the API's pretty-printed JSON as well as its compact JSON", async () => {
        c.resetPods(true);
        try {
            const r = await c.check("check");
            assert.strictEqual(r.code, 0, r.stdout);
            assert.match(r.stdout, /3 probe\(s\)/);
        } finally {
            c.resetPods();
        }
    });

    it("fails on an MTU black hole and names the pair: small requests pass, 64 KiB does not", async () => {
        // node-3's uplink carries 1200 bytes and node-3 drops its own "fragmentation needed" replies.
        c.net.onNode(
            3,
            "ip link set eth0 mtu 1200; iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP",
        );
        try {
            const r = await c.check("check", { F2C_PAYLOAD_TIMEOUT: "4" });
            assert.strictEqual(r.code, 1, r.stdout);
            assert.ok(r.stdout.includes("PASS tcp node-1(10.244.1.20) -> node-3(10.244.3.10)"), r.stdout);
            const line = failures(r).find((l) =>
                l.startsWith("FAIL payload node-1(10.244.1.20) -> node-3(10.244.3.10)"),
            );
            assert.ok(line, r.stdout);
            assert.match(line!, /MTU black hole/);
            assert.ok(
                failures(r).every((l) => l.includes("node-3")),
                failures(r).join("\n"),
            );
            assert.ok(c.termination().includes(line!), c.termination());
        } finally {
            c.net.onNode(3, "ip link set eth0 mtu 1500; iptables -F OUTPUT");
        }
    });

    it("fails on a blackholed route and names the pair", async () => {
        c.net.onNode(1, "ip route replace blackhole 10.244.2.0/24");
        try {
            const r = await c.check("check");
            assert.strictEqual(r.code, 1, r.stdout);
            // The Service may fail too when kube-proxy's random pick lands on node-2: not asserted.
            assert.deepStrictEqual(
                failures(r)
                    .filter((l) => !l.startsWith("FAIL service"))
                    .map((l) => l.split(":")[0]),
                [
                    "FAIL icmp node-1(10.244.1.20) -> node-2(10.244.2.10)",
                    "FAIL tcp node-1(10.244.1.20) -> node-2(10.244.2.10)",
                ],
            );
            assert.match(c.termination(), /^f2c-check check FAILED from node-1: .*[23] failed/);
        } finally {
            c.net.onNode(1, `ip route replace 10.244.2.0/24 via 10.244.200.2`);
        }
    });

    it("fails when only the reverse direction is broken (node-3's pods cannot open connections to node-1)", async () => {
        c.net.onNode(3, "iptables -A FORWARD -s 10.244.3.0/24 -d 10.244.1.0/24 -p tcp --syn -j DROP");
        try {
            const r = await c.check("check", { F2C_PAYLOAD_TIMEOUT: "3" });
            assert.strictEqual(r.code, 1, r.stdout);
            assert.deepStrictEqual(
                failures(r).map((l) => l.split(":")[0]),
                ["FAIL reverse node-1(10.244.1.20) -> node-3(10.244.3.10)"],
            );
        } finally {
            c.net.onNode(3, "iptables -F FORWARD");
        }
    });

    it("fails when the cluster DNS does not answer", async () => {
        c.stopDns();
        try {
            const r = await c.check("check", { F2C_DNS_TIMEOUT: "3" });
            assert.strictEqual(r.code, 1, r.stdout);
            assert.deepStrictEqual(
                failures(r).map((l) => l.split(" -> ")[1].split(":")[0]),
                ["f2c-probe.flannel-to-calico.svc.cluster.local", "kubernetes.default.svc.cluster.local"],
            );
        } finally {
            c.restartDns();
        }
    });

    it("passes a slow path inside the timeouts (node-2's uplink at 160 kbit/s)", async () => {
        c.net.onNode(2, "tc qdisc add dev eth0 root tbf rate 160kbit burst 4kb latency 2s");
        try {
            const t0 = Date.now();
            const slow = await c.net.run(
                c.checker,
                `wget -q -O /dev/null http://${c.probes[1].ip}:${PROBE_PORT}/payload`,
            );
            assert.strictEqual(slow.code, 0);
            assert.ok(Date.now() - t0 > 2000, `the payload took ${Date.now() - t0} ms: the path is not slow`);
            const r = await c.check("check");
            assert.strictEqual(r.code, 0, r.stdout);
            assert.ok(r.stdout.includes("PASS payload node-1(10.244.1.20) -> node-2(10.244.2.10)"));
        } finally {
            c.net.onNode(2, "tc qdisc del dev eth0 root");
        }
    });

    it("names a node whose probe is missing or not ready", async () => {
        c.api.setPods([...NODES.map((node, i) => ({ node, ip: c.probes[i].ip, ready: node !== "node-2" }))]);
        try {
            const t0 = Date.now();
            const r = await c.check("check");
            assert.ok(Date.now() - t0 >= 6000, "it waits F2C_WAIT seconds for the probe to turn ready");
            assert.strictEqual(r.code, 1, r.stdout);
            assert.ok(
                failures(r).some((l) => /^FAIL probe .* -> node-2: no ready probe pod after 6s/.test(l)),
                r.stdout,
            );
            assert.ok(!r.stdout.includes("-> node-2(10.244.2.10)"), "a not-ready probe is not checked");
        } finally {
            c.resetPods();
        }
    });

    it("fails, saying why, when the API cannot be reached", async () => {
        const r = await c.check("check", { F2C_API: "http://10.244.1.99:8080", F2C_WAIT: "1" });
        assert.strictEqual(r.code, 1, r.stdout);
        assert.match(
            r.stdout,
            /^FAIL api node-1\(10\.244\.1\.20\) -> kubernetes: cannot list the probe pods through the API/m,
        );
    });
});
