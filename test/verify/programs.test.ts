/**
 * The probe and checker programs, exactly as the DaemonSet and Jobs run them, in network namespaces
 * standing in for pods on three nodes, with only busybox's applets on PATH. A working path passes;
 * each way of breaking it fails and names the pair; a slow path passes; the baseline marks
 * failures that were there before as pre-existing.
 */
import * as assert from "assert";
import * as fs from "fs";
import { ChildProcess } from "child_process";
import { requireSettings } from "../../settings";
import { K8sObject } from "../../calico/manifest";
import { checkJob, JobMode, probeDaemonSet } from "../../verify/objects";
import { planCheck, PROBE_PORT } from "../../verify/plan";
import { tutorialRaw, HOST_KEY } from "../helpers/config";
import { Pod, PodNet, podNetAvailable, RunResult, SERVICE_VIP } from "../helpers/podnet";
import { FakeApi } from "../helpers/fakeApi";

const available = podNetAvailable();
const required = process.env.F2C_REQUIRE_HOST_TESTS === "1";
const NODES = ["node-1", "node-2", "node-3"];
const settings = (verify: Record<string, unknown> = {}) =>
    requireSettings(
        tutorialRaw({
            nodes: NODES.map((name, i) => ({ name, address: `192.0.2.${i + 1}`, hostKey: HOST_KEY })),
            verify,
        }),
        { stack: "t", dryRun: true },
    );

type Container = { command: string[]; env: { name: string; value?: string }[] };
const containerOf = (o: K8sObject) => (o.spec.template.spec.containers as Container[])[0];
/** The container's program and its literal env values, as the Job object carries them. */
function jobProgram(mode: JobMode, verify: Record<string, unknown> = {}) {
    const s = settings(verify);
    const c = containerOf(checkJob({ mode, plan: planCheck(s), settings: s, baseline: "f2c-baseline-test" }));
    const env = Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    return { program: c.command[2], env };
}

describe("the network check's programs in network namespaces (busybox only)", function () {
    this.timeout(240000);
    let net: PodNet;
    let api: FakeApi;
    let checker: Pod;
    let dnsPod: Pod;
    let dns: ChildProcess;
    const probes: Pod[] = [];

    const startDns = () =>
        net.startCommand(dnsPod, [
            "dnsmasq",
            "--no-daemon",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            `--listen-address=${dnsPod.ip}`,
            "--local=/cluster.local/",
            `--address=/f2c-probe.flannel-to-calico.svc.cluster.local/${SERVICE_VIP}`,
            "--address=/kubernetes.default.svc.cluster.local/10.244.250.1",
            `--pid-file=${dnsPod.dir}/dnsmasq.pid`,
        ]);

    async function check(mode: JobMode, extra: Record<string, string> = {}, verify = {}): Promise<RunResult> {
        const { program, env } = jobProgram(mode, verify);
        fs.rmSync(`${checker.dir}/termination`, { force: true });
        const r = await net.run(checker, program, {
            ...env,
            NODE_NAME: "node-1",
            POD_IP: checker.ip,
            F2C_API: api.url,
            F2C_TOKEN_FILE: api.tokenFile,
            F2C_WORK: `${checker.dir}/work`,
            F2C_TERMINATION: `${checker.dir}/termination`,
            F2C_PROBE_SERVICE_HOST: SERVICE_VIP,
            F2C_WAIT: "6",
            ...extra,
        });
        if (process.env.F2C_DEBUG) process.stderr.write(`--- ${mode}\n${r.stdout}${r.stderr}`);
        return r;
    }
    const termination = () => fs.readFileSync(`${checker.dir}/termination`, "utf8");
    const failures = (r: RunResult) => r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));

    before(async function () {
        if (!available.ok) {
            const msg = `HOST TESTS SKIPPED (network check programs): ${available.why}`;
            process.stderr.write(`\n!!! ${msg} !!!\n\n`);
            if (required) throw new Error(`${msg} (F2C_REQUIRE_HOST_TESTS=1: CI must run them)`);
            this.skip();
        }
        net = new PodNet(3);
        dnsPod = net.pod(1, "dns", "10.244.1.53");
        dns = startDns();
        api = new FakeApi(net, net.pod(1, "api", "10.244.1.30"));
        const probe = containerOf(probeDaemonSet("busybox"));
        for (const [i, node] of NODES.entries()) {
            const p = net.pod(i + 1, `probe${i + 1}`, `10.244.${i + 1}.10`);
            probes.push(p);
            net.start(p, probe.command[2], { NODE_NAME: node, F2C_PORT: String(PROBE_PORT), F2C_WORK: p.dir });
        }
        api.setPods(NODES.map((node, i) => ({ node, ip: probes[i].ip })));
        net.service(
            PROBE_PORT,
            probes.map((p) => p.ip),
        );
        checker = net.pod(1, "checker", "10.244.1.20", dnsPod.ip);
        for (const p of probes) await net.waitFor(checker, `http://${p.ip}:${PROBE_PORT}/node`);
    });
    after(() => net?.destroy());
    afterEach(() => api?.clearStore());

    it("passes on a working network: every probe, both directions, 64 KiB, DNS and the Service", async () => {
        const r = await check("check");
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
            api.requests().some((q) => q.includes("labelSelector=app.kubernetes.io%2Fname%3Df2c-probe&pretty=false")),
        );
    });

    it("reads the API's pretty-printed JSON as well as its compact JSON", async () => {
        api.setPods(
            NODES.map((node, i) => ({ node, ip: probes[i].ip })),
            true,
        );
        try {
            const r = await check("check");
            assert.strictEqual(r.code, 0, r.stdout);
            assert.match(r.stdout, /3 probe\(s\)/);
        } finally {
            api.setPods(NODES.map((node, i) => ({ node, ip: probes[i].ip })));
        }
    });

    it("fails on an MTU black hole and names the pair: small requests pass, 64 KiB does not", async () => {
        // node-3's uplink carries 1200 bytes and node-3 drops its own "fragmentation needed" replies.
        net.onNode(3, "ip link set eth0 mtu 1200; iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP");
        try {
            const r = await check("check", { F2C_PAYLOAD_TIMEOUT: "4" });
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
            assert.ok(termination().includes(line!), termination());
        } finally {
            net.onNode(3, "ip link set eth0 mtu 1500; iptables -F OUTPUT");
        }
    });

    it("fails on a blackholed route and names the pair", async () => {
        net.onNode(1, "ip route replace blackhole 10.244.2.0/24");
        try {
            const r = await check("check");
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
            assert.match(termination(), /^f2c-check check FAILED from node-1: .*[23] failed/);
        } finally {
            net.onNode(1, `ip route replace 10.244.2.0/24 via 10.244.200.2`);
        }
    });

    it("fails when only the reverse direction is broken (node-3's pods cannot open connections to node-1)", async () => {
        net.onNode(3, "iptables -A FORWARD -s 10.244.3.0/24 -d 10.244.1.0/24 -p tcp --syn -j DROP");
        try {
            const r = await check("check", { F2C_PAYLOAD_TIMEOUT: "3" });
            assert.strictEqual(r.code, 1, r.stdout);
            assert.deepStrictEqual(
                failures(r).map((l) => l.split(":")[0]),
                ["FAIL reverse node-1(10.244.1.20) -> node-3(10.244.3.10)"],
            );
        } finally {
            net.onNode(3, "iptables -F FORWARD");
        }
    });

    it("fails when the cluster DNS does not answer", async () => {
        net.stop(dns);
        try {
            const r = await check("check", { F2C_DNS_TIMEOUT: "3" });
            assert.strictEqual(r.code, 1, r.stdout);
            assert.deepStrictEqual(
                failures(r).map((l) => l.split(" -> ")[1].split(":")[0]),
                ["f2c-probe.flannel-to-calico.svc.cluster.local", "kubernetes.default.svc.cluster.local"],
            );
        } finally {
            dns = startDns();
        }
    });

    it("passes a slow path inside the timeouts (node-2's uplink at 160 kbit/s)", async () => {
        net.onNode(2, "tc qdisc add dev eth0 root tbf rate 160kbit burst 4kb latency 2s");
        try {
            const t0 = Date.now();
            const slow = await net.run(checker, `wget -q -O /dev/null http://${probes[1].ip}:${PROBE_PORT}/payload`);
            assert.strictEqual(slow.code, 0);
            assert.ok(Date.now() - t0 > 2000, `the payload took ${Date.now() - t0} ms: the path is not slow`);
            const r = await check("check");
            assert.strictEqual(r.code, 0, r.stdout);
            assert.ok(r.stdout.includes("PASS payload node-1(10.244.1.20) -> node-2(10.244.2.10)"));
        } finally {
            net.onNode(2, "tc qdisc del dev eth0 root");
        }
    });

    it("names a node whose probe is missing or not ready", async () => {
        api.setPods([...NODES.map((node, i) => ({ node, ip: probes[i].ip, ready: node !== "node-2" }))]);
        try {
            const t0 = Date.now();
            const r = await check("check");
            assert.ok(Date.now() - t0 >= 6000, "it waits F2C_WAIT seconds for the probe to turn ready");
            assert.strictEqual(r.code, 1, r.stdout);
            assert.ok(
                failures(r).some((l) => /^FAIL probe .* -> node-2: no ready probe pod after 6s/.test(l)),
                r.stdout,
            );
            assert.ok(!r.stdout.includes("-> node-2(10.244.2.10)"), "a not-ready probe is not checked");
        } finally {
            api.setPods(NODES.map((node, i) => ({ node, ip: probes[i].ip })));
        }
    });

    it("baseline: records failures without failing; the check then reports them as pre-existing", async () => {
        // Breakages the Service check cannot see (its random pick would make the counts vary).
        net.onNode(3, "iptables -A FORWARD -s 10.244.3.0/24 -d 10.244.1.0/24 -p tcp --syn -j DROP");
        try {
            const b = await check("baseline", { F2C_PAYLOAD_TIMEOUT: "3" });
            assert.strictEqual(b.code, 0, b.stdout);
            assert.match(b.stdout, /baseline recorded in ConfigMap flannel-to-calico\/f2c-baseline-test-1/);
            const cm = JSON.parse(api.stored()["f2c-baseline-test-1"]) as { data: Record<string, string> };
            assert.deepStrictEqual(cm.data.failed.trim().split(" "), ["reverse:node-1:node-3"]);
            assert.strictEqual(cm.data.node, "node-1");
            const again = await check("check", { F2C_PAYLOAD_TIMEOUT: "3" });
            assert.strictEqual(again.code, 0, again.stdout);
            assert.match(
                again.stdout,
                /^FAIL \(pre-existing\) reverse node-1\(10\.244\.1\.20\) -> node-3\(10\.244\.3\.10\)/m,
            );
            assert.match(again.stdout, /RESULT passed .*1 failed, 1 of them pre-existing/);
            net.onNode(1, "iptables -A FORWARD -p icmp -d 10.244.2.10 -j DROP");
            const worse = await check("check", { F2C_PAYLOAD_TIMEOUT: "3", F2C_PING_TIMEOUT: "2" });
            assert.strictEqual(worse.code, 1, worse.stdout);
            assert.deepStrictEqual(
                termination()
                    .split("\n")
                    .filter((l) => l.startsWith("FAIL"))
                    .map((l) => l.split(":")[0]),
                ["FAIL icmp node-1(10.244.1.20) -> node-2(10.244.2.10)"],
                "the termination message holds the new failures only",
            );
        } finally {
            net.onNode(1, "iptables -F FORWARD");
            net.onNode(3, "iptables -F FORWARD");
        }
    });

    it("baseline: keeps a record made by an earlier attempt of the same run", async () => {
        assert.strictEqual((await check("baseline")).code, 0);
        const second = await check("baseline");
        assert.strictEqual(second.code, 0, second.stdout);
        assert.match(second.stdout, /f2c-baseline-test-1 exists from an earlier attempt; kept/);
    });

    it("baseline: fails on NetworkPolicies that are not acknowledged, naming each", async () => {
        api.setPolicies(["prod/deny-all", "prod/allow-web", "kube-system/dns"]);
        try {
            const none = await check("baseline");
            assert.strictEqual(none.code, 1, none.stdout);
            assert.deepStrictEqual(
                failures(none).map((l) => l.split(":")[0]),
                ["FAIL policy prod/deny-all", "FAIL policy prod/allow-web", "FAIL policy kube-system/dns"],
            );
            assert.match(termination(), /FAIL policy prod\/deny-all[^]*verify\.acknowledgeNetworkPolicies/);
            api.clearStore();
            const some = await check("baseline", {}, { acknowledgeNetworkPolicies: ["prod/*"] });
            assert.deepStrictEqual(
                failures(some).map((l) => l.split(":")[0]),
                ["FAIL policy kube-system/dns"],
            );
            api.clearStore();
            const all = await check("baseline", {}, { acknowledgeNetworkPolicies: ["prod/*", "kube-system/dns"] });
            assert.strictEqual(all.code, 0, all.stdout);
            api.clearStore();
            assert.strictEqual((await check("baseline", {}, { acknowledgeNetworkPolicies: ["*"] })).code, 0);
        } finally {
            api.setPolicies([]);
        }
    });

    it("fails, saying why, when the API cannot be reached", async () => {
        const r = await check("check", { F2C_API: "http://10.244.1.99:8080", F2C_WAIT: "1" });
        assert.strictEqual(r.code, 1, r.stdout);
        assert.match(
            r.stdout,
            /^FAIL api node-1\(10\.244\.1\.20\) -> kubernetes: cannot list the probe pods through the API/m,
        );
    });
});
