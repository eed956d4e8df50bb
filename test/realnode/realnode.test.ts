/**
 * The node scripts on a real node: systemd as PID 1, Debian's dockerd, shaped
 * like the tutorial's 1.14 docker node (systemd-nspawn, see node.ts), run over
 * real SSH exactly as rendered for `pulumi up`, twice. What is checked is the
 * list "What the proof checks" of issue 10.
 */
import * as assert from "assert";
import {
    changedLines,
    containers,
    dockerApi,
    failedUnits,
    flannelLines,
    inCidr,
    invocations,
    linkAddrs,
    mainArgv,
    natTables,
    resultLine,
    verifyUnit,
} from "./checks";
import { RealFleet } from "./fleet";
import { RealNode } from "./node";
import { DOCKER_BIP, POD_CIDR } from "./shape";
import { failures, note, prepare, Prepared, requireRealNodes, runSteps, StepRun, timesLine, TUTORIAL } from "./suite";

const DOCKER_UNIT = "/etc/systemd/system/docker.service";
const KUBELET_UNIT = "/etc/systemd/system/kubelet.service";
/** A NAT rule of the node's own, which must outlive Flannel's. */
const OWN_RULE = "-A POSTROUTING -s 192.168.100.0/24 -o eth0 -j MASQUERADE";
const flannelEra = (n: RealNode) =>
    containers(n).filter((c) => c.sandbox && c.network !== "host" && c.running && c.ip && inCidr(c.ip, POD_CIDR));
const exists = (n: RealNode, p: string) => n.exec(`test -e ${p}`).code === 0;

describe("node scripts on a real node (systemd-nspawn, real systemd and dockerd, over SSH)", function () {
    this.timeout(240000);
    let fleet: RealFleet | undefined;
    let t0 = Date.now();

    before(async function () {
        requireRealNodes(this);
        t0 = Date.now();
        fleet = await RealFleet.create();
        note(`image ${fleet.image.hash}: ${fleet.image.ms} ms (build or reuse)`);
    });
    after(async () => {
        await fleet?.destroy();
        note(`real-node tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });

    describe("the tutorial's 1.14 docker node", () => {
        let p: Prepared;
        let node: RealNode;
        let first: StepRun[];
        const was = {
            dockerUnit: "",
            verify: {} as Record<string, string>,
            argv: [] as string[],
            hostSandbox: "",
            flannelEra: 0,
            afterRemoveFlannel: { before: {}, after: {} },
            daemonJson: {} as Record<string, unknown>,
        };

        before(async () => {
            node = await fleet!.create("tutorial-01");
            note(
                `node ${node.name}: image copy ${node.times.copy} ms, boot ${node.times.boot[0]} ms to systemd running, ${node.times.ready[0]} ms to its units settled and sshd up, pods ${node.times.pods} ms`,
            );
            p = await prepare(fleet!, node, TUTORIAL);
            was.dockerUnit = node.sh(`cat ${DOCKER_UNIT}`);
            was.verify = { docker: verifyUnit(node, DOCKER_UNIT), kubelet: verifyUnit(node, KUBELET_UNIT) };
            was.argv = mainArgv(node, "kubelet");
            was.hostSandbox = containers(node).find((c) => c.sandbox && c.network === "host")!.id;
            was.flannelEra = flannelEra(node).length;
            was.daemonJson = JSON.parse(node.sh("cat /etc/docker/daemon.json")) as Record<string, unknown>;
            node.sh(`iptables -w -t nat ${OWN_RULE}`);
            // remove-flannel on its own, to see whether stopping flanneld took docker or kubelet down.
            first = runSteps(p, 0, 1);
            const ids = invocations(node, ["docker", "kubelet"]);
            if (first[0].code === 0) first.push(...runSteps(p, 1, 2));
            was.afterRemoveFlannel = { before: ids, after: invocations(node, ["docker", "kubelet"]) };
            if (first.every((r) => r.code === 0)) first.push(...runSteps(p, 2));
            note(`first run on ${node.name}: ${timesLine(first)}`);
        });

        it("runs every step, each exiting 0 and reporting what it changed", () => {
            assert.strictEqual(failures(first), "");
            for (const r of first.slice(1))
                assert.match(r.stdout, /result: changed/, `${r.step}: ${resultLine(r.stdout)}`);
            note(`first run, what changed:\n${first.flatMap((r) => changedLines(r.stdout)).join("\n")}`);
        });
        it("pulls Calico's images in preflight, from the stack's mirror, before any cutover", () => {
            assert.match(first[0].stdout, /images: 4 pulled/);
        });
        it("leaves flanneld disabled, masked and inactive", () => {
            assert.strictEqual(node.exec("systemctl is-enabled flanneld").stdout.trim(), "masked");
            assert.strictEqual(node.exec("systemctl is-active flanneld").stdout.trim(), "inactive");
            assert.strictEqual(node.exec("readlink /etc/systemd/system/flanneld.service").stdout.trim(), "/dev/null");
            assert.strictEqual(
                node.exec(
                    "ls /etc/systemd/system/*.wants/flanneld.service /etc/systemd/system/*.requires/flanneld.service 2>/dev/null",
                ).stdout,
                "",
            );
        });
        it("stops flanneld without stopping docker or kubelet (same InvocationIDs across remove-flannel)", () => {
            assert.deepStrictEqual(was.afterRemoveFlannel.after, was.afterRemoveFlannel.before);
        });
        it("leaves no flannel.1 link", () => {
            assert.ok(!node.exec("ip -o link show").stdout.includes("flannel.1"));
        });
        it("leaves no Flannel NAT rules or chains (iptables-nft and iptables-legacy), and keeps the node's own", () => {
            const nat = natTables(node);
            assert.deepStrictEqual(flannelLines(nat, POD_CIDR), [], nat);
            assert.ok(nat.includes(OWN_RULE), nat);
        });
        it("removes Flannel's state and certs, and its CNI config into the backup; other CNI files stay", () => {
            for (const p of ["/run/flannel", "/etc/flanneld/cert", "/etc/cni/net.d/10-flannel.conflist"])
                assert.ok(!exists(node, p), `${p} is still there`);
            assert.ok(exists(node, "/etc/cni/net.d/99-loopback.conf"));
            assert.match(node.sh("ls /var/lib/flannel-to-calico/backup"), /_etc_cni_net.d_10-flannel.conflist\./);
        });
        it("clears stale CNI state, records the migration, and leaves no pending marker or temporary file", () => {
            assert.ok(!exists(node, "/var/lib/cni/networks/k8s-pod-network"));
            assert.ok(!exists(node, "/etc/cni/net.d/calico-kubeconfig"));
            assert.match(node.sh("cat /var/lib/flannel-to-calico/migrated"), /^\d{4}-\d\d-\d\dT/);
            assert.strictEqual(
                node.exec("ls -d /var/lib/flannel-to-calico/pending-* /etc/systemd/system/*.f2c-* /etc/docker/*.f2c-*")
                    .stdout,
                "",
            );
        });
        it("sets docker's bip in daemon.json, keeping its other keys, after a backup", () => {
            const now = JSON.parse(node.sh("cat /etc/docker/daemon.json")) as Record<string, unknown>;
            assert.deepStrictEqual(now, { bip: DOCKER_BIP, ...was.daemonJson });
            assert.match(node.sh("ls /var/lib/flannel-to-calico/backup"), /_etc_docker_daemon.json\./);
        });
        it("drops exactly Flannel's EnvironmentFile from docker.service and keeps every other line", () => {
            const expected = was.dockerUnit.split("\n").filter((l) => l !== "EnvironmentFile=-/run/flannel/docker");
            assert.deepStrictEqual(node.sh(`cat ${DOCKER_UNIT}`).split("\n"), expected);
        });
        it("systemd-analyze verify of the edited units (docker, kubelet) prints nothing new", () => {
            assert.deepStrictEqual(
                { docker: verifyUnit(node, DOCKER_UNIT), kubelet: verifyUnit(node, KUBELET_UNIT) },
                was.verify,
            );
        });
        it("leaves docker and kubelet active", async () => {
            await node.settle(["docker", "kubelet"], 20000);
        });
        it("runs kubelet with --network-plugin=cni exactly once and every other argument as before", () => {
            const argv = mainArgv(node, "kubelet");
            assert.strictEqual(argv.filter((a) => a.startsWith("--network-plugin")).length, 1, argv.join(" "));
            assert.ok(argv.includes("--network-plugin=cni"), argv.join(" "));
            assert.deepStrictEqual(
                argv.filter((a) => a !== "--network-plugin=cni"),
                was.argv,
            );
        });
        it("recycles every Flannel-era pod sandbox (none keeps a pod-CIDR address) and says how many", async () => {
            await dockerApi(node);
            const left = flannelEra(node);
            assert.deepStrictEqual(
                left.map((c) => `${c.name} ${c.ip}`),
                [],
            );
            assert.ok(was.flannelEra > 0);
            assert.match(first[5]?.stdout ?? "", new RegExp(`recycled ${was.flannelEra} pod sandbox\\(es\\)`));
        });
        it("stops every container for docker's restart, then starts the host-network sandbox again", () => {
            assert.match(first[5]?.stdout ?? "", /stopped all 4 running container\(s\), application containers too/);
            assert.match(first[5]?.stdout ?? "", /started 1 stopped container\(s\) again/);
            const host = containers(node).find((c) => c.id === was.hostSandbox);
            assert.ok(host?.running, `host-network sandbox ${was.hostSandbox}: ${JSON.stringify(host)}`);
            const app = containers(node).find((c) => c.name === "k8s_app_app-1_default_0a1_0");
            assert.ok(app && !app.running, "the app container of a recycled pod waits for kubelet");
        });
        it("leaves docker0 with the bip, no address inside the pod CIDR", async () => {
            await dockerApi(node);
            assert.deepStrictEqual(linkAddrs(node, "docker0"), [DOCKER_BIP]);
        });
        it("leaves no failed units", () => {
            assert.strictEqual(failedUnits(node), "");
        });
        it("keeps docker0 on the bip after one more docker restart", async () => {
            node.sh("systemctl restart docker");
            await dockerApi(node);
            const addrs = linkAddrs(node, "docker0");
            await node.settle(["docker", "kubelet"], 30000);
            assert.deepStrictEqual(addrs, [DOCKER_BIP]);
        });

        describe("a second run", () => {
            let second: StepRun[];
            let ids: { before: Record<string, string>; after: Record<string, string> };
            before(async () => {
                await node.settle(["docker", "kubelet"], 30000);
                const b = invocations(node, ["docker", "kubelet"]);
                second = runSteps(p);
                note(`second run on ${node.name}: ${timesLine(second)}`);
                ids = { before: b, after: invocations(node, ["docker", "kubelet"]) };
            });
            it("exits 0 in every step", () => assert.strictEqual(failures(second), ""));
            it("reports no change in any step", () => {
                assert.deepStrictEqual(
                    second.map((r) => `${r.step}: ${resultLine(r.stdout)}`),
                    second.map((r) => `${r.step}: result: unchanged (nothing to do)`),
                    second
                        .filter((r) => !/result: unchanged/.test(r.stdout))
                        .map((r) => `${r.step}:\n${r.stdout}`)
                        .join("\n"),
                );
            });
            it("restarts nothing (InvocationID of docker and kubelet unchanged)", () =>
                assert.deepStrictEqual(ids.after, ids.before));
        });
    });
});
