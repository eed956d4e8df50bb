/**
 * The node scripts on real nodes of the other shapes issue 10 lists: each
 * node booted with systemd-nspawn (node.ts), the six rendered steps run over
 * real SSH, the outcome checked on the node.
 */
import * as assert from "assert";
import { failedUnits, invocations, mainArgv, resultLine, verifyUnit } from "./checks";
import { RealNode } from "./node";
import { NodeShape } from "./shape";
import { DOCKER_SERVICE_REQUIRES_FLANNELD } from "./units";
import { failures, MODERN, note, prepare, Prepared, runSteps, StepRun, timesLine, TUTORIAL, useFleet } from "./suite";

describe("node scripts on real nodes of other shapes (systemd-nspawn, over SSH)", function () {
    this.timeout(180000);
    const fleet = useFleet("variant tests");

    /** Boots a node of this shape, renders its steps, runs them once; the node is destroyed after the test. */
    async function migrate(
        name: string,
        shape: NodeShape,
        extra: Record<string, unknown>,
    ): Promise<{ p: Prepared; node: RealNode; runs: StepRun[] }> {
        const node = await fleet().create(name, shape);
        const p = await prepare(fleet(), node, extra);
        const runs = runSteps(p);
        note(`${name}: boot ${node.times.boot[0]} ms, ready ${node.times.ready[0]} ms; ${timesLine(runs)}`);
        return { p, node, runs };
    }
    let current: RealNode | undefined;
    afterEach(async () => {
        await current?.destroy();
        current = undefined;
    });

    it("docker.service that Requires=flanneld: docker runs again, flanneld out of its dependencies", async () => {
        const { node, runs } = await migrate(
            "requires-01",
            { dockerService: DOCKER_SERVICE_REQUIRES_FLANNELD },
            TUTORIAL,
        );
        current = node;
        assert.strictEqual(failures(runs), "");
        const unit = node.sh("cat /etc/systemd/system/docker.service");
        assert.ok(!unit.includes("flanneld"), unit);
        assert.match(unit, /^After=network-online.target firewalld.service$/m);
        await node.settle(["docker", "kubelet"], 30000);
        assert.strictEqual(failedUnits(node), "");
    });

    it("a containerd.service present but inactive (dockerd runs its own containerd): apply succeeds", async () => {
        const { node, runs } = await migrate("ctrdfile-01", { containerdUnit: "inactive" }, TUTORIAL);
        current = node;
        assert.strictEqual(node.exec("systemctl is-active containerd").stdout.trim(), "inactive");
        assert.strictEqual(failures(runs), "");
        await node.settle(["docker", "kubelet"], 30000);
    });

    it("kubelet 1.26 with cri-dockerd: cri-dockerd gets --network-plugin=cni once, kubelet's unit untouched", async () => {
        const node = await fleet().create("cridockerd-01", { kubeletVersion: "1.26.3", criDocker: true });
        current = node;
        const unitsBefore = node.sh("cat /etc/systemd/system/kubelet.service");
        const verifyBefore = verifyUnit(node, "/etc/systemd/system/cri-docker.service");
        const argvBefore = mainArgv(node, "cri-docker");
        const p = await prepare(fleet(), node, MODERN);
        const runs = runSteps(p);
        note(`${node.name}: boot ${node.times.boot[0]} ms, ready ${node.times.ready[0]} ms; ${timesLine(runs)}`);
        assert.strictEqual(failures(runs), "");
        assert.strictEqual(node.sh("cat /etc/systemd/system/kubelet.service"), unitsBefore);
        await node.settle(["docker", "cri-docker", "kubelet"], 30000);
        const argv = mainArgv(node, "cri-docker");
        assert.deepStrictEqual(
            argv.filter((a) => a.startsWith("--network-plugin")),
            ["--network-plugin=cni"],
            argv.join(" "),
        );
        assert.deepStrictEqual(
            argv.filter((a) => !a.startsWith("--network-plugin")),
            argvBefore.filter((a) => !a.startsWith("--network-plugin")),
        );
        assert.strictEqual(verifyUnit(node, "/etc/systemd/system/cri-docker.service"), verifyBefore);
        assert.strictEqual(failedUnits(node), "");
    });

    it("kubelet 1.26 on Debian's containerd: images pulled through crictl, kubelet untouched, containerd active", async () => {
        const node = await fleet().create("containerd-01", { runtime: "containerd" });
        current = node;
        const kubeletBefore = node.sh("cat /etc/systemd/system/kubelet.service");
        const p = await prepare(fleet(), node, MODERN);
        const runs = runSteps(p);
        note(`${node.name}: boot ${node.times.boot[0]} ms, ready ${node.times.ready[0]} ms; ${timesLine(runs)}`);
        assert.strictEqual(failures(runs), "");
        assert.match(runs[0].stdout, /container runtime: containerd/);
        assert.match(runs[0].stdout, /images: 3 pulled/);
        assert.strictEqual(
            node
                .sh("ctr -n k8s.io images ls -q")
                .split("\n")
                .filter((l) => l.startsWith("127.0.0.1:5000/calico/")).length,
            3,
        );
        assert.strictEqual(node.sh("cat /etc/systemd/system/kubelet.service"), kubeletBefore);
        assert.ok(!node.exec("ip -o link show").stdout.includes("flannel.1"));
        await node.settle(["containerd", "kubelet"], 30000);
        assert.strictEqual(failedUnits(node), "");
    });

    it("a node already migrated: every step exits 0, changes nothing and restarts nothing", async () => {
        const node = await fleet().create("migrated-01", { migrated: true });
        current = node;
        const p = await prepare(fleet(), node, TUTORIAL);
        const ids = invocations(node, ["docker", "kubelet"]);
        const files = node.sh("ls /etc/cni/net.d /var/lib/cni/networks/k8s-pod-network");
        const runs = runSteps(p);
        note(`${node.name}: boot ${node.times.boot[0]} ms, ready ${node.times.ready[0]} ms; ${timesLine(runs)}`);
        assert.strictEqual(failures(runs), "");
        // preflight pulls the images (this node's cache is empty); the other steps must find nothing to do.
        assert.deepStrictEqual(
            runs.slice(1).map((r) => `${r.step}: ${resultLine(r.stdout)}`),
            runs.slice(1).map((r) => `${r.step}: result: unchanged (nothing to do)`),
            runs
                .slice(1)
                .filter((r) => !/result: unchanged/.test(r.stdout))
                .map((r) => r.stdout)
                .join("\n"),
        );
        assert.deepStrictEqual(invocations(node, ["docker", "kubelet"]), ids);
        assert.strictEqual(
            node.sh("ls /etc/cni/net.d /var/lib/cni/networks/k8s-pod-network"),
            files,
            "its live CNI files are kept",
        );
    });

    it("kubelet's ExecStart in a drop-in, with --network-plugin=kubenet mid-list and again as `--network-plugin cni`", async () => {
        const node = await fleet().create("dropin-01");
        current = node;
        const dropIn = "/etc/systemd/system/kubelet.service.d/10-flags.conf";
        // Written after boot: the stand-in kubelet, like the real one, would not start with two plugins.
        node.sh(
            `mkdir -p ${dropIn.replace(/\/[^/]*$/, "")} && printf '%s\\n' '[Service]' 'ExecStart=' ` +
                `'ExecStart=/opt/k8s/bin/kubelet \\' '    --network-plugin=kubenet \\' ` +
                `'    --cni-bin-dir=/opt/cni/bin --network-plugin cni \\' '    --v=2' > ${dropIn} && systemctl daemon-reload`,
        );
        const main = node.sh("cat /etc/systemd/system/kubelet.service");
        const verifyBefore = verifyUnit(node, "/etc/systemd/system/kubelet.service");
        const p = await prepare(fleet(), node, TUTORIAL);
        const runs = runSteps(p);
        note(`${node.name}: boot ${node.times.boot[0]} ms, ready ${node.times.ready[0]} ms; ${timesLine(runs)}`);
        assert.strictEqual(failures(runs), "");
        assert.strictEqual(
            node.sh(`cat ${dropIn}`),
            "[Service]\nExecStart=\nExecStart=/opt/k8s/bin/kubelet --network-plugin=cni \\\n    --cni-bin-dir=/opt/cni/bin \\\n    --v=2\n",
        );
        assert.strictEqual(node.sh("cat /etc/systemd/system/kubelet.service"), main, "the main unit is untouched");
        await node.settle(["docker", "kubelet"], 30000);
        assert.deepStrictEqual(mainArgv(node, "kubelet"), [
            "--network-plugin=cni",
            "--cni-bin-dir=/opt/cni/bin",
            "--v=2",
        ]);
        assert.strictEqual(verifyUnit(node, "/etc/systemd/system/kubelet.service"), verifyBefore);
        assert.strictEqual(failedUnits(node), "");
    });

    it("a node that never had flanneld: remove-flannel finds nothing, the rest converges", async () => {
        const { node, runs } = await migrate("noflannel-01", { flannel: false, staleCni: false }, TUTORIAL);
        current = node;
        assert.strictEqual(failures(runs), "");
        assert.match(runs[1].stdout, /no flanneld unit on this node/);
        assert.match(runs[1].stdout, /result: unchanged/);
        await node.settle(["docker", "kubelet"], 30000);
        assert.strictEqual(failedUnits(node), "");
    });
});
