/**
 * preflight records Flannel's facts (subnet.env, flanneld's -iface) before
 * remove-flannel deletes them, and fails early, naming the node, when
 * Calico's IP autodetection would not pick flanneld's interface or the pod
 * MTU does not fit that interface. Real test hosts over SSH (root only).
 */
import * as assert from "assert";
import * as fs from "fs";
import { Secret } from "../../settings/secret";
import { requireSettings, Settings } from "../../settings";
import { nodeConnection } from "../../nodes/connection";
import { buildSettings } from "../helpers/mocks";
import { tutorialRaw } from "../helpers/config";
import { createFleet, HostFleet, hostTestsAvailable, TestHost } from "../helpers/testHost";
import { runOnNode, RunResult } from "../helpers/runner";
import { STEPS } from "../../nodes/steps";

const available = hostTestsAvailable();

function settingsFor(fleet: HostFleet, host: TestHost, extra: Record<string, unknown> = {}): Settings {
    return requireSettings(
        tutorialRaw({
            ssh: { user: "root", privateKey: new Secret(fleet.privateKey), perDialTimeout: 3, dialErrorLimit: 1 },
            nodes: [{ name: host.name, address: host.address, hostKey: host.hostKey }],
            ...extra,
        }),
        { stack: "hosts", dryRun: false },
    );
}

/** Runs step `n` (1 = preflight) on the host, with the steps and parameters the program ships. */
async function step(s: Settings, n: number): Promise<RunResult> {
    const { migration } = await buildSettings(s);
    const node = s.nodes[0];
    return runOnNode(node.name, nodeConnection(s.ssh, node), migration.nodes.stepScript(node.name, STEPS[n - 1]));
}

const FACTS = "/var/lib/flannel-to-calico/flannel-facts.env";

describe("preflight: Flannel's facts before its removal", function () {
    this.timeout(180000);
    let fleet: HostFleet;
    before(function () {
        if (!available.ok) this.skip();
        fleet = createFleet();
    });
    after(() => fleet?.destroy());

    it("records subnet.env and -iface, reports them, and keeps them once Flannel is gone", async () => {
        const host = await fleet.create("facts-01");
        fs.writeFileSync(
            host.file("/run/flannel/subnet.env"),
            "FLANNEL_NETWORK=172.30.0.0/16\nFLANNEL_SUBNET=172.30.8.1/21\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n",
        );
        const s = settingsFor(fleet, host);
        const first = await step(s, 1);
        assert.strictEqual(first.code, 0, first.stderr);
        assert.strictEqual(
            fs.readFileSync(host.file(FACTS), "utf8"),
            "FLANNEL_NETWORK=172.30.0.0/16\nFLANNEL_SUBNET=172.30.8.1/21\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n" +
                "FLANNELD_IFACE=eth0\nFLANNELD_IFACE_FROM=-iface=eth0\n",
        );
        assert.match(first.stdout, /changed: recorded Flannel's facts/);
        assert.match(
            first.stdout,
            /flannel: network 172\.30\.0\.0\/16, subnet 172\.30\.8\.1\/21, mtu 1450, ip-masq true, interface eth0/,
        );
        assert.match(first.stdout, /IP autodetection \(first-found\) picks eth0, the interface flanneld used/);
        assert.match(first.stdout, /pod MTU 1440 \+ 20-byte header fits the underlay MTU 1500/);
        assert.strictEqual((await step(s, 2)).code, 0, "remove-flannel");
        assert.ok(!fs.existsSync(host.file("/run/flannel/subnet.env")));
        const again = await step(s, 1);
        assert.strictEqual(again.code, 0, again.stderr);
        assert.match(again.stdout, /unchanged: Flannel's facts already recorded/);
        assert.match(again.stdout, /picks eth0, the interface flanneld used/);
    });
    it("fails, naming the node, when first-found would pick another interface; interface= fixes it", async () => {
        const host = await fleet.create("twonics-01");
        // A second NIC created after eth0: first-found walks interfaces from the highest index down.
        host.exec("ip link add eth1 type bridge && ip addr add 10.99.0.1/24 dev eth1 && ip link set eth1 up");
        const bad = await step(settingsFor(fleet, host), 1);
        assert.strictEqual(bad.code, 1);
        assert.match(
            bad.stderr,
            /node=twonics-01 step=preflight failed: Calico's IP autodetection \(first-found\) would pick eth1 on this node, but flanneld carried the overlay on eth0: set network.ipAutodetectionMethod \(e\.g\. interface=eth0\)/,
        );
        assert.doesNotMatch(bad.stdout, /pulled image/, "it fails before pulling images");
        // The host's /30 peer (its veth's other end) is reachable through eth0 only.
        const peer = host.address.replace(/\d+$/, (d) => String(Number(d) - 1));
        for (const method of ["interface=eth0", "skip-interface=eth1", `can-reach=${peer}`]) {
            const ok = await step(settingsFor(fleet, host, { network: { ipAutodetectionMethod: method } }), 1);
            assert.strictEqual(ok.code, 0, `${method}: ${ok.stderr}`);
            assert.match(ok.stdout, new RegExp(`IP autodetection \\(${method.replace(/[.=]/g, "\\$&")}\\) picks eth0`));
        }
    });
    it("cidr= (v3.26+) picks the interface whose address is inside one of its networks", async () => {
        const host = await fleet.create("cidr-01");
        host.exec("ip link add eth1 type bridge && ip addr add 10.99.0.1/24 dev eth1 && ip link set eth1 up");
        const v326 = (method: string) =>
            settingsFor(fleet, host, {
                cluster: { kubernetesVersion: "1.28.4" },
                calico: { version: "v3.26.5" },
                network: { ipAutodetectionMethod: method },
            });
        const ok = await step(v326("cidr=10.213.0.0/16"), 1);
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /IP autodetection \(cidr=10\.213\.0\.0\/16\) picks eth0/);
        const r = await step(v326("cidr=10.99.0.0/24"), 1);
        assert.strictEqual(r.code, 1);
        assert.match(
            r.stderr,
            /\(cidr=10\.99\.0\.0\/24\) would pick eth1 on this node, but flanneld carried the overlay on eth0/,
        );
    });
    it("fails when the pod MTU plus Calico's header exceeds the MTU of flanneld's interface", async () => {
        const host = await fleet.create("mtu-01");
        const ipip = await step(settingsFor(fleet, host, { network: { mtu: 1490 } }), 1);
        assert.strictEqual(ipip.code, 1);
        assert.match(
            ipip.stderr,
            /node=mtu-01 step=preflight failed: pod MTU 1490 plus Calico's 20-byte header is 1510, more than the MTU 1500 of eth0 .*: set network.mtu to at most 1480/,
        );
        const vxlan = await step(settingsFor(fleet, host, { network: { mode: "vxlan", mtu: 1460 } }), 1);
        assert.match(vxlan.stderr, /pod MTU 1460 plus Calico's 50-byte header is 1510.*at most 1450/);
        const fits = await step(settingsFor(fleet, host, { network: { mode: "vxlan", mtu: 1450 } }), 1);
        assert.strictEqual(fits.code, 0, fits.stderr);
        // Plain bgp adds no header: the pods may use the whole underlay MTU.
        const bgp = await step(settingsFor(fleet, host, { network: { mode: "bgp", mtu: 1500 } }), 1);
        assert.strictEqual(bgp.code, 0, bgp.stderr);
        assert.match(bgp.stdout, /pod MTU 1500 \+ 0-byte header fits the underlay MTU 1500/);
    });
});
