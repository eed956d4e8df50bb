/**
 * preflight on a real node (systemd-nspawn, over SSH) stops before any change,
 * naming the node: a user without root or sudo -n, kubelet's CNI directory
 * elsewhere than Calico writes, no kubelet.service, a daemon.json docker could
 * not take a bip from; and SSH itself: a host key that is not the pinned one,
 * an unreachable node.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RealNode } from "./node";
import { NodeRunError, Secret, stackSettings, stepScripts, runStep } from "./project";
import { TUTORIAL, useFleet } from "./suite";

describe("preflight on a real node stops before any change (systemd-nspawn, over SSH)", function () {
    this.timeout(120000);
    const fleet = useFleet("preflight tests");
    let node: RealNode;
    let key: string;
    const preflight = async (extra: Record<string, unknown> = {}) => {
        const s = stackSettings([node], key, { ...TUTORIAL, ...extra });
        return runStep(s, node.name, (await stepScripts(s, node.name))[0]);
    };
    const untouched = () => {
        assert.strictEqual(node.exec("systemctl is-active flanneld").stdout.trim(), "active");
        assert.ok(node.exec("test -e /run/flannel/docker").code === 0, "Flannel's docker options are still there");
    };
    before(async () => {
        node = await fleet().create("preflight-01", { pods: false });
        key = fleet().privateKey;
    });

    it("a user that is neither root nor allowed sudo -n", async () => {
        node.sh(
            "useradd -m -s /bin/bash f2ctest && install -d -o f2ctest -m 700 ~f2ctest/.ssh && install -o f2ctest -m 600 /root/.ssh/authorized_keys ~f2ctest/.ssh/",
        );
        const ssh = { user: "f2ctest", privateKey: new Secret(key), perDialTimeout: 3, dialErrorLimit: 1 };
        const r = await preflight({ ssh });
        assert.strictEqual(r.code, 1);
        assert.match(
            r.stderr,
            /node=preflight-01 step=preflight failed: user f2ctest is not root and cannot run sudo -n/,
        );
    });
    it("kubelet looking for CNI configs elsewhere than Calico writes them", async () => {
        node.sh(
            "sed -i.orig 's#--cni-conf-dir=/etc/cni/net.d#--cni-conf-dir=/etc/kubernetes/cni#' /etc/systemd/system/kubelet.service && systemctl daemon-reload",
        );
        const r = await preflight();
        node.sh(
            "mv /etc/systemd/system/kubelet.service.orig /etc/systemd/system/kubelet.service && systemctl daemon-reload",
        );
        assert.strictEqual(r.code, 1);
        assert.match(
            r.stderr,
            /kubelet runs with --cni-conf-dir=\/etc\/kubernetes\/cni but Calico installs its CNI files in \/etc\/cni\/net\.d/,
        );
        untouched();
    });
    it("a missing kubelet.service", async () => {
        node.sh("mv /etc/systemd/system/kubelet.service /root/ && systemctl daemon-reload");
        const r = await preflight();
        node.sh("mv /root/kubelet.service /etc/systemd/system/ && systemctl daemon-reload");
        assert.notStrictEqual(r.code, 0);
        assert.match(r.stderr, /node=preflight-01 step=preflight failed: kubelet\.service was not found/);
        untouched();
    });
    it("a daemon.json docker could not take a bip from", async () => {
        node.sh(
            'cp -a /etc/docker/daemon.json /root/ && printf \'{"bridge": "none", "live-restore": true}\\n\' > /etc/docker/daemon.json',
        );
        const r = await preflight();
        node.sh("mv /root/daemon.json /etc/docker/");
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /\/etc\/docker\/daemon\.json sets "bridge", which docker refuses together with the bip/);
        untouched();
    });
    it("a host key that is not the pinned one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-otherkey-"));
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/k`]);
        const other = fs.readFileSync(`${dir}/k.pub`, "utf8").split(" ").slice(0, 2).join(" ");
        fs.rmSync(dir, { recursive: true, force: true });
        const s = stackSettings([{ name: node.name, address: node.address, hostKey: other }], key, TUTORIAL);
        assert.throws(
            () => runStep(s, node.name, "true"),
            (e: Error) =>
                e instanceof NodeRunError && /node preflight-01: its SSH host key does not match/.test(e.message),
        );
    });
    it("an unreachable node", async () => {
        await node.poweroff({ hard: true });
        const s = stackSettings([node], key, TUTORIAL);
        assert.throws(
            () => runStep(s, node.name, "true"),
            (e: Error) =>
                e instanceof NodeRunError && /node preflight-01: cannot reach 10\.213\.\d+\.\d+:22/.test(e.message),
        );
    });
});
