/**
 * The node scripts, run over real SSH on test hosts that look like the
 * tutorial's nodes (network + mount namespaces, sshd, real links and NAT rules).
 * The scripts are taken from the commands the component registers, so what
 * runs here is exactly what `pulumi up` sends and the plan writes.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Secret } from "../../settings/secret";
import { Settings } from "../../settings";
import { nodeConnection } from "../../nodes/connection";
import { StepName, STEPS } from "../../nodes/steps";
import { stepProgram } from "../../nodes/render";
import { buildSettings } from "../helpers/mocks";
import { settingsOf } from "../helpers/config";
import {
    createFleet,
    HostFleet,
    hostTestsAvailable,
    TestHost,
    TUTORIAL_DOCKER_SERVICE,
    tutorialKubeletService,
} from "../helpers/testHost";
import { NodeRunError, runOnNode, RunResult } from "../helpers/runner";
import { needsManifests } from "../setup";

const available = hostTestsAvailable();
const required = process.env.F2C_REQUIRE_HOST_TESTS === "1";

function settingsFor(fleet: HostFleet, hosts: TestHost[], extra: Record<string, unknown> = {}): Settings {
    return settingsOf(
        {
            ssh: { user: "root", privateKey: new Secret(fleet.privateKey), perDialTimeout: 3, dialErrorLimit: 1 },
            nodes: hosts.map((h) => ({ name: h.name, address: h.address, hostKey: h.hostKey })),
            ...extra,
        },
        { dryRun: false, stack: "hosts" },
    );
}

/** Each node's per-step scripts, with the steps and parameters the component ships (NodePreparation.stepScript). */
async function scriptsFor(s: Settings): Promise<Map<string, Map<StepName, string>>> {
    const { migration } = await buildSettings(s);
    const out = new Map<string, Map<StepName, string>>();
    for (const n of s.nodes)
        out.set(n.name, new Map(STEPS.map((step) => [step, migration.nodes.stepScript(n.name, step)])));
    return out;
}

/** One node's script for one step. */
function scriptOf(scripts: Map<string, Map<StepName, string>>, node: string, step: StepName): string {
    const script = scripts.get(node)?.get(step);
    assert.ok(script, `no ${step} script for ${node}`);
    return script;
}

/** Runs every step on a node in order; the results by step name. */
function runAll(s: Settings, scripts: Map<string, Map<StepName, string>>, node: string): Record<StepName, RunResult> {
    const n = s.nodes.find((x) => x.name === node);
    assert.ok(n, `no node ${node}`);
    const results = {} as Record<StepName, RunResult>;
    for (const step of STEPS) {
        const r = runOnNode(node, nodeConnection(s.ssh, n), scriptOf(scripts, node, step));
        results[step] = r;
        if (r.code !== 0) assert.fail(`step ${step} failed on ${node} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return results;
}

const read = (h: TestHost, p: string) => fs.readFileSync(h.file(p), "utf8");
const exists = (h: TestHost, p: string) => {
    try {
        fs.lstatSync(h.file(p));
        return true;
    } catch {
        return false;
    }
};
const log = (h: TestHost, name: string) =>
    exists(h, `/run/f2c-host-state/${name}`) ? read(h, `/run/f2c-host-state/${name}`) : "";

describe("node scripts on real test hosts over SSH", function () {
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

    describe("a fresh tutorial node", () => {
        let host: TestHost;
        let s: Settings;
        let scripts: Map<string, Map<StepName, string>>;
        let first: Record<StepName, RunResult>;
        before(async () => {
            host = await fleet.create("tutorial-01");
            s = settingsFor(fleet, [host]);
            scripts = await scriptsFor(s);
            first = runAll(s, scripts, host.name);
            const times = STEPS.map((step) => `${step} ${first[step].ms} ms`).join(", ");
            process.stderr.write(
                `      per-step time over SSH on ${host.name}: ${times}; total ${STEPS.reduce((a, step) => a + first[step].ms, 0)} ms\n`,
            );
        });

        it("disables, masks and stops flanneld without taking docker down", () => {
            assert.strictEqual(fs.readlinkSync(host.file("/etc/systemd/system/flanneld.service")), "/dev/null");
            assert.ok(!exists(host, "/run/f2c-host-state/flanneld.service.enabled"));
            assert.ok(!exists(host, "/run/f2c-host-state/flanneld.service.active"));
            assert.ok(
                !log(host, "systemctl.log").includes("stopped docker.service (requires flanneld.service)"),
                log(host, "systemctl.log"),
            );
            const order = log(host, "systemctl.log")
                .split("\n")
                .filter((l) => / flanneld$/.test(l));
            assert.deepStrictEqual(
                order.filter((l) => /disable|mask|stop/.test(l)).map((l) => l.split(" ")[1]),
                ["disable", "mask", "stop"],
            );
        });
        it("removes Flannel's state, certs and links", () => {
            for (const p of ["/run/flannel", "/etc/flanneld/cert"]) assert.ok(!exists(host, p), `${p} still there`);
            const links = host.exec("ip -o link show");
            assert.ok(!links.includes("flannel.1"), links);
            assert.ok(links.includes("docker0"));
        });
        it("removes Flannel's NAT rules and chains and leaves other rules", () => {
            const nat = host.exec("iptables -w -t nat -S");
            assert.ok(!nat.includes("172.30."), nat);
            assert.ok(!nat.includes("FLANNEL"), nat);
            assert.ok(nat.includes("-A POSTROUTING -s 192.168.100.0/24 -o eth0 -j MASQUERADE"), nat);
            assert.ok(!host.exec("iptables -w -S").includes("FLANNEL"));
        });
        it("moves Flannel's CNI config out of kubelet's sight and keeps the others", () => {
            assert.ok(!exists(host, "/etc/cni/net.d/10-flannel.conflist"));
            assert.ok(exists(host, "/etc/cni/net.d/99-loopback.conf"));
            assert.ok(
                fs
                    .readdirSync(host.file("/var/lib/flannel-to-calico/backup"))
                    .some((f) => f.includes("10-flannel.conflist")),
            );
        });
        it("removes exactly Flannel's EnvironmentFile from docker.service, after a backup", () => {
            const unit = read(host, "/etc/systemd/system/docker.service");
            assert.ok(!unit.includes("/run/flannel/docker"), unit);
            assert.ok(unit.includes("EnvironmentFile=-/etc/sysconfig/docker-extra"));
            assert.ok(unit.includes("ExecStart=/opt/k8s/bin/dockerd $DOCKER_NETWORK_OPTIONS"));
            assert.ok(
                fs
                    .readdirSync(host.file("/var/lib/flannel-to-calico/backup"))
                    .some((f) => f.startsWith("_etc_systemd_system_docker.service.")),
            );
        });
        it("takes Flannel's address off docker0", () => {
            const addrs = host.exec("ip -4 -o addr show dev docker0");
            assert.ok(!addrs.includes("172.30."), addrs);
        });
        it("puts --network-plugin=cni on kubelet exactly once and keeps the unit well formed", () => {
            const unit = read(host, "/etc/systemd/system/kubelet.service");
            assert.strictEqual(unit.match(/--network-plugin/g)?.length, 1, unit);
            assert.match(unit, /^ExecStart=\/opt\/k8s\/bin\/kubelet --network-plugin=cni \\$/m);
            assert.match(unit, /^ {2}--v=2\nRestart=always$/m);
            assert.ok(unit.includes("--hostname-override=tutorial-01 \\"));
        });
        it("clears stale CNI state and records the migration", () => {
            assert.ok(!exists(host, "/var/lib/cni/networks/k8s-pod-network"));
            assert.ok(!exists(host, "/etc/cni/net.d/calico-kubeconfig"));
            assert.match(read(host, "/var/lib/flannel-to-calico/migrated"), /^\d{4}-\d\d-\d\dT/);
            assert.deepStrictEqual(
                fs.readdirSync(host.file("/var/lib/flannel-to-calico")).filter((f) => f.startsWith("pending-")),
                [],
            );
        });
        it("restarts docker, then kubelet, with the Flannel-era sandboxes recycled", () => {
            const sys = log(host, "systemctl.log").split("\n");
            const i = (re: RegExp) => sys.findIndex((l) => re.test(l));
            assert.ok(
                i(/stop kubelet$/) >= 0 &&
                    i(/stop kubelet$/) < i(/restart docker$/) &&
                    i(/restart docker$/) < i(/start kubelet$/),
                sys.join("\n"),
            );
            assert.deepStrictEqual(fs.readdirSync(host.file("/run/f2c-host-state/sandboxes")), ["ccc333"]);
            assert.match(first.apply.stdout, /recycled 2 pod sandbox\(es\)/);
            assert.match(first.apply.stdout, /docker is active/);
        });
        it("pulls Calico's images in preflight, before any cutover", () => {
            const pulls = log(host, "docker.log")
                .split("\n")
                .filter((l) => l.startsWith("docker pull "));
            assert.deepStrictEqual(pulls.map((l) => l.slice("docker pull ".length)).sort(), [
                "calico/cni:v3.8.9",
                "calico/kube-controllers:v3.8.9",
                "calico/node:v3.8.9",
                "calico/pod2daemon-flexvol:v3.8.9",
            ]);
            assert.match(first.preflight.stdout, /images: 4 pulled/);
        });
        it("reports changed / unchanged per step", () => {
            for (const step of STEPS.slice(1)) assert.match(first[step].stdout, /result: changed/, step);
            assert.match(first.preflight.stdout, /kubelet v1\.14\.2/);
            assert.match(
                first.preflight.stderr,
                /kernel module ipip: cannot tell|kernel module ipip: (loaded|built in|available)/,
            );
        });
        it("changes nothing and restarts nothing on a second run", () => {
            const before = log(host, "systemctl.log");
            const second = runAll(s, scripts, host.name);
            for (const step of STEPS)
                assert.match(
                    second[step].stdout,
                    /result: unchanged \(nothing to do\)/,
                    `${step}:\n${second[step].stdout}`,
                );
            const added = log(host, "systemctl.log").slice(before.length);
            assert.ok(!/ (stop|start|restart|disable|mask|daemon-reload) /.test(added + " "), added);
        });
        it("runs again, harmlessly, when the connection changes (same scripts, new key)", async () => {
            // A rotated key is a changed connection input: the provider runs `update`,
            // which is the same idempotent script.
            const r = runOnNode(host.name, nodeConnection(s.ssh, s.nodes[0]), scriptOf(scripts, host.name, "kubelet"));
            assert.strictEqual(r.code, 0);
            assert.match(r.stdout, /result: unchanged/);
        });
    });

    describe("other shapes of node", () => {
        it("kubelet 1.24+ with cri-dockerd: kubelet gets no --network-plugin, cri-dockerd does", async () => {
            const host = await fleet.create("modern-01", {
                kubeletVersion: "1.26.3",
                kubeletService:
                    "[Service]\nExecStart=/opt/k8s/bin/kubelet --container-runtime-endpoint=unix:///run/cri-dockerd.sock --config=/etc/kubernetes/kubelet-config.yaml --v=2\n",
                criDockerService:
                    "[Unit]\nRequires=docker.service\n[Service]\nExecStart=/usr/bin/cri-dockerd --container-runtime-endpoint fd:// --network-plugin=kubenet\n",
            });
            const s = settingsFor(fleet, [host], {
                cluster: { kubernetesVersion: "1.26.3" },
                calico: { version: "v3.26.5" },
            });
            runAll(s, await scriptsFor(s), host.name);
            assert.ok(!read(host, "/etc/systemd/system/kubelet.service").includes("network-plugin"));
            const cri = read(host, "/etc/systemd/system/cri-docker.service");
            assert.strictEqual(cri.match(/--network-plugin/g)?.length, 1, cri);
            assert.ok(cri.includes("--network-plugin=cni"));
            assert.ok(log(host, "systemctl.log").includes("restart cri-docker"));
        });
        it("kubelet 1.26 with containerd: images and sandboxes through crictl, kubelet flags untouched", async () => {
            const kubelet =
                "[Service]\nExecStart=/opt/k8s/bin/kubelet --container-runtime-endpoint=unix:///run/containerd/containerd.sock --config=/etc/kubernetes/kubelet-config.yaml --v=2\n";
            const host = await fleet.create("containerd-01", {
                kubeletVersion: "1.26.3",
                kubeletService: kubelet,
                containerd: true,
            });
            const s = settingsFor(fleet, [host], {
                cluster: { kubernetesVersion: "1.26.3" },
                calico: { version: "v3.26.5" },
            });
            const results = runAll(s, await scriptsFor(s), host.name);
            assert.match(results.preflight.stdout, /container runtime: containerd/);
            assert.deepStrictEqual(
                log(host, "crictl.log")
                    .split("\n")
                    .filter((l) => l.startsWith("crictl pull ")).length,
                3,
            );
            assert.strictEqual(read(host, "/etc/systemd/system/kubelet.service"), kubelet);
            assert.match(results.kubelet.stdout, /no cri-dockerd on this node/);
            assert.deepStrictEqual(fs.readdirSync(host.file("/run/f2c-host-state/pods")), ["p-proxy"]);
            assert.match(results.apply.stdout, /recycled 1 pod sandbox\(es\)/);
            assert.match(results.apply.stdout, /containerd is active/);
            assert.ok(!log(host, "docker.log").includes("docker "), "docker is never called on a containerd node");
        });
        it("a kubelet with --network-plugin=kubenet mid-list and a drop-in that holds ExecStart", async () => {
            const host = await fleet.create("dropin-01", {
                kubeletService: "[Service]\nExecStart=/usr/bin/kubelet --v=4\n",
            });
            fs.mkdirSync(host.file("/etc/systemd/system/kubelet.service.d"), { recursive: true });
            fs.writeFileSync(
                host.file("/etc/systemd/system/kubelet.service.d/10-flags.conf"),
                "[Service]\nExecStart=\nExecStart=/opt/k8s/bin/kubelet \\\n    --network-plugin=kubenet \\\n    --cni-bin-dir=/opt/cni/bin --network-plugin cni \\\n    --v=2\n",
            );
            const s = settingsFor(fleet, [host]);
            runAll(s, await scriptsFor(s), host.name);
            const dropin = read(host, "/etc/systemd/system/kubelet.service.d/10-flags.conf");
            assert.strictEqual(dropin.match(/--network-plugin/g)?.length, 1, dropin);
            assert.match(dropin, /ExecStart=\/opt\/k8s\/bin\/kubelet --network-plugin=cni \\\n/);
            assert.match(dropin, /--cni-bin-dir=\/opt\/cni\/bin \\\n {4}--v=2\n$/);
            assert.strictEqual(
                read(host, "/etc/systemd/system/kubelet.service"),
                "[Service]\nExecStart=/usr/bin/kubelet --v=4\n",
            );
        });
        it("an iptables 1.4 that names no back end (CentOS 7) still has Flannel's rules removed", async () => {
            const host = await fleet.create("centos7-01", { oldIptables: true });
            const s = settingsFor(fleet, [host]);
            runAll(s, await scriptsFor(s), host.name);
            const nat = host.exec("iptables -w -t nat -S");
            assert.ok(!nat.includes("172.30.") && !nat.includes("FLANNEL"), nat);
            assert.ok(nat.includes("192.168.100.0/24"));
        });
        it("a docker.service that Requires= flanneld starts again once flanneld is masked", async () => {
            const unit = TUTORIAL_DOCKER_SERVICE.replace(
                "[Unit]\n",
                "[Unit]\nAfter=network-online.target firewalld.service flanneld.service\nWants=network-online.target\nRequires=flanneld.service\n",
            );
            const host = await fleet.create("requires-01", { dockerService: unit });
            const s = settingsFor(fleet, [host]);
            runAll(s, await scriptsFor(s), host.name);
            const after = read(host, "/etc/systemd/system/docker.service");
            assert.ok(!after.includes("flanneld"), after);
            assert.match(after, /^After=network-online.target firewalld.service$/m);
            assert.match(after, /^Wants=network-online.target$/m);
            assert.ok(exists(host, "/run/f2c-host-state/docker.service.active"), "docker is running after the cutover");
        });
        it("a node already migrated keeps its live CNI files", async () => {
            const host = await fleet.create("migrated-01", { migrated: true });
            const s = settingsFor(fleet, [host]);
            const results = runAll(s, await scriptsFor(s), host.name);
            assert.ok(exists(host, "/etc/cni/net.d/calico-kubeconfig"));
            assert.ok(exists(host, "/var/lib/cni/networks/k8s-pod-network"));
            assert.match(results["cni-state"].stdout, /already migrated/);
        });
        it("a node that never had flanneld", async () => {
            const host = await fleet.create("noflannel-01", { flannel: false, staleCni: false });
            const s = settingsFor(fleet, [host]);
            const results = runAll(s, await scriptsFor(s), host.name);
            assert.match(results["remove-flannel"].stdout, /no flanneld unit on this node/);
            assert.match(results["remove-flannel"].stdout, /result: unchanged/);
            assert.ok(host.exec("iptables -w -t nat -S").includes("192.168.100.0/24"));
        });
    });

    describe("faults, named by node", () => {
        it("an unreachable host", async () => {
            const host = await fleet.create("gone-01");
            const s = settingsFor(fleet, [host]);
            const scripts = await scriptsFor(s);
            host.stop();
            await new Promise((r) => setTimeout(r, 300));
            assert.throws(
                () =>
                    runOnNode(host.name, nodeConnection(s.ssh, s.nodes[0]), scriptOf(scripts, host.name, "preflight")),
                (e: Error) =>
                    e instanceof NodeRunError && /node gone-01: cannot reach 10\.213\.\d+\.\d+:22/.test(e.message),
            );
        });
        it("a wrong host key", async () => {
            const host = await fleet.create("spoofed-01");
            const other = await fleet.create("other-01");
            const s = settingsOf(
                {
                    ssh: { privateKey: new Secret(fleet.privateKey) },
                    nodes: [{ name: host.name, address: host.address, hostKey: other.hostKey }],
                },
                { dryRun: false, stack: "hosts" },
            );
            const scripts = await scriptsFor(s);
            assert.throws(
                () =>
                    runOnNode(host.name, nodeConnection(s.ssh, s.nodes[0]), scriptOf(scripts, host.name, "preflight")),
                (e: Error) =>
                    e instanceof NodeRunError && /node spoofed-01: its SSH host key does not match/.test(e.message),
            );
        });
        it("a user that is neither root nor allowed sudo -n", async () => {
            execFileSync("bash", [
                "-c",
                "id f2ctest >/dev/null 2>&1 || useradd -M -s /bin/bash f2ctest; usermod -p '*' f2ctest",
            ]);
            try {
                const host = await fleet.create("nosudo-01");
                const s = settingsOf(
                    {
                        ssh: { user: "f2ctest", privateKey: new Secret(fleet.privateKey) },
                        nodes: [{ name: host.name, address: host.address, hostKey: host.hostKey }],
                    },
                    { dryRun: false, stack: "hosts" },
                );
                const scripts = await scriptsFor(s);
                const r = runOnNode(
                    host.name,
                    nodeConnection(s.ssh, s.nodes[0]),
                    scriptOf(scripts, host.name, "preflight"),
                );
                assert.strictEqual(r.code, 1);
                assert.match(
                    r.stderr,
                    /node=nosudo-01 step=preflight failed: user f2ctest is not root and cannot run sudo -n/,
                );
            } finally {
                execFileSync("bash", ["-c", "userdel f2ctest 2>/dev/null || true"]);
            }
        });
        it("kubelet looking for CNI configs elsewhere than Calico writes them stops preflight", async () => {
            const host = await fleet.create("cnidir-01", {
                kubeletService: tutorialKubeletService("cnidir-01").replace(
                    "--cni-conf-dir=/etc/cni/net.d",
                    "--cni-conf-dir=/etc/kubernetes/cni",
                ),
            });
            const s = settingsFor(fleet, [host]);
            const r = runOnNode(
                host.name,
                nodeConnection(s.ssh, s.nodes[0]),
                scriptOf(await scriptsFor(s), host.name, "preflight"),
            );
            assert.strictEqual(r.code, 1);
            assert.match(
                r.stderr,
                /kubelet runs with --cni-conf-dir=\/etc\/kubernetes\/cni but Calico installs its CNI files in \/etc\/cni\/net\.d/,
            );
            assert.ok(exists(host, "/run/flannel/docker"), "nothing changed");
        });
        it("a missing kubelet.service stops preflight before any change", async () => {
            const host = await fleet.create("nokubelet-01", { kubeletUnit: false });
            const s = settingsFor(fleet, [host]);
            const scripts = await scriptsFor(s);
            const r = runOnNode(
                host.name,
                nodeConnection(s.ssh, s.nodes[0]),
                scriptOf(scripts, host.name, "preflight"),
            );
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /node=nokubelet-01 step=preflight failed: kubelet\.service was not found/);
            assert.ok(exists(host, "/run/flannel/docker"), "preflight changed nothing");
        });
    });

    describe("shellcheck", () => {
        it("passes every registered command, the shipped library and each step's bash program", async () => {
            const s = settingsOf({}, { stack: "sc" });
            const { regs, migration } = await buildSettings(s);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-sc-"));
            try {
                const files: string[] = [];
                const write = (name: string, text: string) => {
                    fs.writeFileSync(path.join(dir, name), text);
                    files.push(path.join(dir, name));
                };
                for (const r of regs.filter(
                    (x) => x.type === "command:remote:Command" && x.name.startsWith("zhangjun-k8s01-"),
                ))
                    // The login shell runs a command: check it as POSIX sh, the strictest it may be.
                    write(`${r.name}.sh`, `#!/bin/sh\n${String(r.inputs.create)}`);
                write("library.sh", migration.nodes.library.text);
                for (const step of STEPS) write(`${step}.bash`, `#!/bin/bash\n${stepProgram(step)}`);
                assert.strictEqual(files.length, 2 + 1 + STEPS.length);
                try {
                    execFileSync("shellcheck", files, { encoding: "utf8" });
                } catch (e) {
                    assert.fail(`shellcheck:\n${(e as { stdout?: string }).stdout}`);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
