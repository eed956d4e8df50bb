/**
 * Faults on real nodes (systemd-nspawn, real systemd and dockerd, over SSH):
 * a power cut between steps, an SSH session killed in the middle of apply,
 * docker's API not answering, kubelet failing after the change (preflight's
 * faults are in preflight.test.ts). Each run again after the fault converges.
 */
import * as assert from "assert";
import { containers, dockerApi, failedUnits, inCidr, invocations, linkAddrs, mainArgv, resultLine } from "./checks";
import { RealNode } from "./node";
import { DOCKER_BIP, POD_CIDR } from "./shape";
import { runStep } from "./project";
import { failures, note, prepare, Prepared, runKilled, runSteps, TUTORIAL, withConstants, useFleet } from "./suite";

const APPLY = 5;
const flannelEra = (n: RealNode) =>
    containers(n).filter((c) => c.sandbox && c.network !== "host" && c.running && c.ip && inCidr(c.ip, POD_CIDR));
const noSteps = (n: number) => new RegExp(`\\n\\(stopped after ${n} of 6 steps\\)$`);

/**
 * What a converged tutorial node looks like: checked after each recovery. The
 * host-network sandbox runs again unless the node was powered off (after a
 * boot, kubelet recreates every pod).
 */
async function assertConverged(node: RealNode, dockerUnit: string, hostSandbox = true): Promise<void> {
    await node.settle(["docker", "kubelet"], 30000);
    await dockerApi(node);
    assert.deepStrictEqual(linkAddrs(node, "docker0"), [DOCKER_BIP]);
    assert.deepStrictEqual(flannelEra(node), []);
    if (hostSandbox)
        assert.ok(
            containers(node).some((c) => c.sandbox && c.network === "host" && c.running),
            "host-network sandbox",
        );
    assert.strictEqual(node.sh("cat /etc/systemd/system/docker.service"), dockerUnit);
    const argv = mainArgv(node, "kubelet");
    assert.strictEqual(argv.filter((a) => a.startsWith("--network-plugin")).join(" "), "--network-plugin=cni");
    assert.strictEqual(node.exec("systemctl is-enabled flanneld").stdout.trim(), "masked");
    assert.strictEqual(
        node.exec("ls -d /var/lib/flannel-to-calico/pending-* /etc/systemd/system/*.f2c-* /etc/docker/*.f2c-*").stdout,
        "",
        "no pending marker or half-written file",
    );
    assert.strictEqual(failedUnits(node), "");
}
/** Every step once more: each unchanged, nothing restarted. */
function assertIdle(p: Prepared): void {
    const ids = invocations(p.node, ["docker", "kubelet"]);
    const again = runSteps(p);
    assert.deepStrictEqual(
        again.map((r) => resultLine(r.stdout)),
        again.map(() => "result: unchanged (nothing to do)"),
        again.map((r) => r.stdout + r.stderr).join("\n"),
    );
    assert.deepStrictEqual(invocations(p.node, ["docker", "kubelet"]), ids);
}

describe("faults on real nodes (systemd-nspawn, over SSH)", function () {
    this.timeout(240000);
    const fleet = useFleet("fault tests");
    /** A tutorial node, its steps, and docker.service as the migration should leave it. */
    async function tutorialNode(name: string): Promise<{ node: RealNode; p: Prepared; dockerUnit: string }> {
        const node = await fleet().create(name);
        const p = await prepare(fleet(), node, TUTORIAL);
        const dockerUnit = node
            .sh("cat /etc/systemd/system/docker.service")
            .replace(/^EnvironmentFile=-\/run\/flannel\/docker\n/m, "");
        return { node, p, dockerUnit };
    }

    it("the node powered off between remove-flannel and docker, booted, the steps run again: converges", async () => {
        const { node, p, dockerUnit } = await tutorialNode("poweroff-01");
        assert.strictEqual(failures(runSteps(p, 0, 2)).replace(noSteps(2), ""), "");
        await node.poweroff({ hard: true });
        note(`${node.name}: power cut after remove-flannel, boot again ${await node.reboot()} ms`);
        assert.ok(
            linkAddrs(node, "docker0").some((a) => inCidr(a.split("/")[0], POD_CIDR)),
            "docker0 came back on Flannel's address",
        );
        assert.strictEqual(failures(runSteps(p)), "");
        await assertConverged(node, dockerUnit, false);
        await node.destroy();
    });

    it("an SSH session killed in the middle of apply: apply goes on, the rerun waits for it, converges", async () => {
        const { node, p, dockerUnit } = await tutorialNode("sshkill-01");
        assert.strictEqual(failures(runSteps(p, 0, APPLY)).replace(noSteps(APPLY), ""), "");
        const ms = runKilled(p, APPLY, 1500);
        // The node lock is held while a step runs.
        const alive = node.exec("flock -n /run/flannel-to-calico.lock true").code !== 0;
        const again = runSteps(p, APPLY, APPLY + 1);
        note(
            `${node.name}: apply's session killed after ${ms} ms; first run still going: ${alive}; rerun ${again[0].ms} ms`,
        );
        assert.ok(alive, "apply stopped with its SSH session");
        assert.strictEqual(failures(again).replace(noSteps(1), ""), "");
        assert.match(again[0].stdout, /another flannel-to-calico step is still running on this node/);
        await assertConverged(node, dockerUnit);
        assertIdle(p);
        await node.destroy();
    });

    describe("apply on a node whose docker, then kubelet, fails", () => {
        let node: RealNode;
        let p: Prepared;
        let dockerUnit: string;
        let kubeletUnit: string;
        const dropIn = "/etc/systemd/system/docker.service.d/99-never-listens.conf";
        before(async () => {
            ({ node, p, dockerUnit } = await tutorialNode("faulty-01"));
            kubeletUnit = node.sh("cat /etc/systemd/system/kubelet.service");
            assert.strictEqual(failures(runSteps(p, 0, APPLY)).replace(noSteps(APPLY), ""), "");
        });
        after(() => node?.destroy());

        it("docker's API not answering within its timeout: apply fails saying so, and reports no recycled count", () => {
            // A docker.service that starts (Type=simple: "active") and never listens.
            node.sh(
                `mkdir -p ${dropIn.replace(/\/[^/]*$/, "")}; printf '[Service]\\nExecStart=\\nExecStart=/bin/sleep infinity\\n' > ${dropIn}; systemctl daemon-reload`,
            );
            const r = runStep(p.s, node.name, withConstants(p.scripts[APPLY], { DOCKER_API_TIMEOUT: 5 }));
            assert.strictEqual(r.code, 1, r.stdout + r.stderr);
            assert.match(
                r.stderr,
                /node=faulty-01 step=apply failed: docker's API did not answer within 5 s after docker's restart/,
            );
            assert.match(r.stdout, /stopped all 4 running container\(s\)/);
            assert.doesNotMatch(r.stdout, /recycled/);
            // The operator's fix: docker as it was.
            node.sh(`rm ${dropIn}; systemctl daemon-reload; systemctl restart docker`);
        });
        it("kubelet failing after the change: apply fails naming the node, the unit and the backup to restore", async () => {
            node.sh("echo 'unknown flag: --made-to-fail-by-the-test' > /etc/f2c/kubelet-fails");
            await dockerApi(node);
            const r = runStep(p.s, node.name, withConstants(p.scripts[APPLY], { ACTIVE_TIMEOUT: 8 }));
            assert.strictEqual(r.code, 1, r.stdout + r.stderr);
            const m =
                /node=faulty-01 step=apply failed: kubelet\.service is not active 8 s after the restart .*cp -a (\/var\/lib\/flannel-to-calico\/backup\/_etc_systemd_system_kubelet\.service\.\S+) \/etc\/systemd\/system\/kubelet\.service && systemctl daemon-reload && systemctl restart kubelet/.exec(
                    r.stderr,
                );
            assert.ok(m, r.stderr);
            assert.strictEqual(
                node.sh(`cat ${m[1]}`),
                kubeletUnit,
                "the backup named is kubelet.service before the migration",
            );
            assert.match(r.stderr, /made-to-fail-by-the-test/, "the end of kubelet's journal is shown");
            // The sandboxes stopped by the failed run before are recycled by this one.
            assert.match(r.stdout, /recycled 2 pod sandbox\(es\)/);
        });
        it("runs again once kubelet is fixed, and converges", async () => {
            node.sh("rm /etc/f2c/kubelet-fails");
            const r = runSteps(p, APPLY, APPLY + 1);
            assert.strictEqual(failures(r).replace(noSteps(1), ""), "");
            await assertConverged(node, dockerUnit);
            assertIdle(p);
        });
    });
});
