/**
 * The node scripts on recorder-based test hosts (network and mount namespaces,
 * real sshd, real links and NAT rules; systemctl, docker and crictl are
 * recorders). The real nodes of test/realnode/ prove everything else; these
 * two cases stay here because a real node of this machine cannot express them:
 * - CentOS 7's iptables 1.4.21 names no back end in --version: the Debian
 *   image's iptables is 1.8 (nft and legacy), and CentOS 7 does not boot here;
 * - pod sandboxes through crictl: Debian packages no crictl, and nothing on the
 *   real containerd node makes CRI sandboxes (no kubelet, no CRI client).
 */
import * as assert from "assert";
import * as fs from "fs";
import { Secret } from "../../settings/secret";
import { Settings } from "../../settings";
import { nodeConnection } from "../../nodes/connection";
import { StepName, STEPS } from "../../nodes/steps";
import { buildSettings } from "../helpers/mocks";
import { settingsOf } from "../helpers/config";
import { createFleet, HostFleet, hostTestsAvailable, TestHost } from "../helpers/testHost";
import { runOnNode, RunResult } from "../helpers/runner";
import { needsManifests } from "../setup";

const available = hostTestsAvailable();
const required = process.env.F2C_REQUIRE_HOST_TESTS === "1";

function settingsFor(fleet: HostFleet, host: TestHost, extra: Record<string, unknown> = {}): Settings {
    return settingsOf(
        {
            ssh: { user: "root", privateKey: new Secret(fleet.privateKey), perDialTimeout: 3, dialErrorLimit: 1 },
            nodes: [{ name: host.name, address: host.address, hostKey: host.hostKey }],
            ...extra,
        },
        { dryRun: false, stack: "hosts" },
    );
}

/** Runs the steps (all, or the first `count`) with the steps and parameters the component ships; results by step. */
async function run(s: Settings, count: number = STEPS.length): Promise<Partial<Record<StepName, RunResult>>> {
    const { migration } = await buildSettings(s);
    const n = s.nodes[0];
    const results: Partial<Record<StepName, RunResult>> = {};
    for (const step of STEPS.slice(0, count)) {
        const res = runOnNode(n.name, nodeConnection(s.ssh, n), migration.nodes.stepScript(n.name, step));
        results[step] = res;
        if (res.code !== 0)
            assert.fail(`step ${step} failed on ${n.name} (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
    }
    return results;
}
const log = (h: TestHost, name: string) => {
    const p = h.file(`/run/f2c-host-state/${name}`);
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : "";
};

describe("node scripts on recorder test hosts (only what a real node here cannot express)", function () {
    this.timeout(180000);
    let fleet: HostFleet;

    before(function () {
        needsManifests(this);
        if (!available.ok) {
            const msg = `HOST TESTS SKIPPED: ${available.why}`;
            process.stderr.write(`\n!!! ${msg} !!!\n\n`);
            if (required) throw new Error(`${msg} (F2C_REQUIRE_HOST_TESTS=1: CI must run them)`);
            this.skip();
        }
        fleet = createFleet();
    });
    after(() => fleet?.destroy());

    it("an iptables 1.4 that names no back end (CentOS 7): Flannel's NAT rules go, the others stay", async () => {
        const host = await fleet.create("centos7-01", { oldIptables: true });
        const results = await run(settingsFor(fleet, host), STEPS.indexOf("remove-flannel") + 1);
        assert.match(
            results["remove-flannel"]?.stdout ?? "",
            /removed \d+ Flannel NAT rule\(s\) from nat POSTROUTING \(iptables\)/,
        );
        const nat = host.exec("iptables -w -t nat -S");
        assert.ok(!nat.includes("172.30.") && !nat.includes("FLANNEL"), nat);
        assert.ok(nat.includes("-A POSTROUTING -s 192.168.100.0/24 -o eth0 -j MASQUERADE"), nat);
        assert.ok(!host.exec("iptables -w -S").includes("FLANNEL"));
    });

    it("kubelet 1.26 on containerd: sandboxes recycled through crictl, the host-network one kept", async () => {
        const kubelet =
            "[Service]\nExecStart=/opt/k8s/bin/kubelet --container-runtime-endpoint=unix:///run/containerd/containerd.sock --config=/etc/kubernetes/kubelet-config.yaml --v=2\n";
        const host = await fleet.create("containerd-01", {
            kubeletVersion: "1.26.3",
            kubeletService: kubelet,
            containerd: true,
        });
        const s = settingsFor(fleet, host, {
            cluster: { kubernetesVersion: "1.26.3" },
            calico: { version: "v3.26.5" },
        });
        const results = await run(s);
        assert.match(results.preflight?.stdout ?? "", /container runtime: containerd/);
        assert.deepStrictEqual(fs.readdirSync(host.file("/run/f2c-host-state/pods")), ["p-proxy"]);
        assert.match(results.apply?.stdout ?? "", /recycled 1 pod sandbox\(es\)/);
        assert.match(results.apply?.stdout ?? "", /containerd is active/);
        assert.ok(!log(host, "docker.log").includes("docker "), "docker is never called on a containerd node");
    });
});
