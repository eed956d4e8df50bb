/**
 * Lays a node's shape out in its root before it boots: the tutorial's tarball
 * layout (docker, flanneld and kubelet from /opt/k8s/bin under units in
 * /etc/systemd/system), the stand-ins, CNI files, sshd keys, the harness's
 * boot unit, and what an earlier migration left when the shape says so.
 */
import * as fs from "fs";
import * as path from "path";
import { DOCKER_BIP, flannelSubnet, LayoutContext, NodeShape, POD_CIDR, ResolvedShape, resolveShape } from "./shape";
import {
    DOCKER_SERVICE_WITHOUT_FLANNEL,
    HARNESS_SERVICE,
    modernKubeletService,
    REGISTRY_CONFIG,
    TUTORIAL_DOCKER_SERVICE,
    TUTORIAL_FLANNELD_SERVICE,
    tutorialKubeletService,
} from "./units";

const STANDINS = path.join(__dirname, "standins");

function put(root: string, p: string, text: string, mode = 0o644): void {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text, { mode });
}
function link(root: string, p: string, target: string): void {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.rmSync(path.join(root, p), { force: true });
    fs.symlinkSync(target, path.join(root, p));
}
const standin = (root: string, name: string, dest: string) =>
    put(root, dest, fs.readFileSync(path.join(STANDINS, name), "utf8"), 0o755);
const enable = (root: string, unit: string, where = "/etc/systemd/system") =>
    link(root, `/etc/systemd/system/multi-user.target.wants/${unit}`, `${where}/${unit}`);

/** The kubelet.service the shape gets, and the edit a migration made to it. */
function kubeletUnit(s: NodeShape, r: ResolvedShape, name: string): string {
    const text =
        s.kubeletService ??
        (Number(r.kubeletVersion.split(".")[1]) < 24
            ? tutorialKubeletService(name)
            : r.runtime === "containerd"
              ? modernKubeletService(name, "unix:///run/containerd/containerd.sock", "containerd.service")
              : modernKubeletService(name, "unix:///run/cri-dockerd.sock", "cri-docker.service"));
    return s.migrated && Number(r.kubeletVersion.split(".")[1]) < 24
        ? text.replace(/^ExecStart=(\S+)/m, "ExecStart=$1 --network-plugin=cni")
        : text;
}

export function layout(root: string, shape: NodeShape, c: LayoutContext): ResolvedShape {
    const r = resolveShape(shape);
    const units = "/etc/systemd/system";
    put(root, "/etc/hostname", `${c.name}\n`);
    put(
        root,
        "/etc/f2c/node.env",
        `F2C_ADDRESS=${c.nodeAddr}\nF2C_POD_CIDR=${POD_CIDR}\nF2C_SUBNET=${flannelSubnet(c.index)}\nF2C_FLANNEL_STYLE=${shape.flannelStyle ?? "v0.11"}\n`,
    );
    put(root, "/etc/f2c/kubelet-version", `${r.kubeletVersion}\n`);
    for (const f of ["harness-boot", "pods.sh", "seed-registry.sh"]) standin(root, f, `/opt/f2c/${f}`);
    put(root, `${units}/f2c-harness.service`, HARNESS_SERVICE);
    enable(root, "f2c-harness.service");
    link(root, `${units}/network-online.target.wants/f2c-harness.service`, `${units}/f2c-harness.service`);
    put(root, "/etc/docker/registry/config.yml", REGISTRY_CONFIG);

    // sshd: this node's own host key, the test run's key for root.
    fs.copyFileSync(c.hostKeyFile, path.join(root, "etc/ssh/ssh_host_ed25519_key"));
    fs.chmodSync(path.join(root, "etc/ssh/ssh_host_ed25519_key"), 0o600);
    fs.copyFileSync(`${c.hostKeyFile}.pub`, path.join(root, "etc/ssh/ssh_host_ed25519_key.pub"));
    put(
        root,
        "/etc/ssh/sshd_config.d/f2c.conf",
        "HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\nUseDNS no\n",
    );
    put(root, "/root/.ssh/authorized_keys", c.authorizedKey, 0o600);

    // The tarball layout: binaries in /opt/k8s/bin (Debian's, linked), stand-ins for the rest.
    for (const [bin, target] of [
        ["dockerd", "/usr/sbin/dockerd"],
        ["docker", "/usr/bin/docker"],
        ["containerd", "/usr/bin/containerd"],
        ["containerd-shim", "/usr/bin/containerd-shim"],
        ["containerd-shim-runc-v2", "/usr/bin/containerd-shim-runc-v2"],
        ["ctr", "/usr/bin/ctr"],
        ["runc", "/usr/sbin/runc"],
        ["docker-init", "/usr/bin/tini-static"],
        ["docker-proxy", "/usr/sbin/docker-proxy"],
    ])
        link(root, `/opt/k8s/bin/${bin}`, target);
    standin(root, "kubelet", "/opt/k8s/bin/kubelet");
    for (const d of ["/data/k8s/docker/data", "/data/k8s/k8s/kubelet", "/opt/cni/bin", "/etc/cni/net.d"])
        fs.mkdirSync(path.join(root, d), { recursive: true });
    put(root, "/etc/kubernetes/cert/ca.pem", "-----BEGIN CERTIFICATE-----\n");
    put(
        root,
        "/etc/kubernetes/kubelet-config.yaml",
        "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n",
    );

    if (r.runtime === "docker") {
        put(
            root,
            "/etc/docker/daemon.json",
            JSON.stringify(
                {
                    // A finished migration set docker0's bip (the stack's choice for these CIDRs).
                    ...(shape.migrated ? { bip: DOCKER_BIP } : {}),
                    "live-restore": true,
                    "max-concurrent-downloads": 20,
                    "data-root": "/data/k8s/docker/data",
                },
                null,
                2,
            ) + "\n",
        );
        const dockerText =
            shape.dockerService ?? (r.flannel ? TUTORIAL_DOCKER_SERVICE : DOCKER_SERVICE_WITHOUT_FLANNEL);
        put(
            root,
            `${units}/docker.service`,
            shape.migrated ? dockerText.replace("EnvironmentFile=-/run/flannel/docker\n", "") : dockerText,
        );
        enable(root, "docker.service");
    } else {
        standin(root, "crictl", "/usr/local/bin/crictl");
    }
    if (r.containerdUnit === "absent")
        fs.rmSync(path.join(root, "lib/systemd/system/containerd.service"), { force: true });
    if (r.containerdUnit === "active") enable(root, "containerd.service", "/lib/systemd/system");
    if (r.criDocker) {
        standin(root, "cri-dockerd", "/usr/local/bin/cri-dockerd");
        put(
            root,
            `${units}/cri-docker.service`,
            shape.migrated ? r.criDocker.replace("--network-plugin=kubenet", "--network-plugin=cni") : r.criDocker,
        );
        enable(root, "cri-docker.service");
    }
    put(root, `${units}/kubelet.service`, kubeletUnit(shape, r, c.name));
    enable(root, "kubelet.service");

    put(root, "/etc/cni/net.d/99-loopback.conf", JSON.stringify({ cniVersion: "0.3.1", type: "loopback" }));
    if (r.flannel) {
        standin(root, "flanneld", "/opt/k8s/bin/flanneld");
        standin(root, "mk-docker-opts.sh", "/opt/k8s/bin/mk-docker-opts.sh");
        put(root, `${units}/flanneld.service`, TUTORIAL_FLANNELD_SERVICE);
        enable(root, "flanneld.service");
        if (r.runtime === "docker")
            link(root, `${units}/docker.service.requires/flanneld.service`, `${units}/flanneld.service`);
        put(root, "/etc/flanneld/cert/flanneld.pem", "-----BEGIN CERTIFICATE-----\n");
        put(root, "/etc/flanneld/cert/flanneld-key.pem", "-----BEGIN PRIVATE KEY-----\n");
        put(
            root,
            "/etc/cni/net.d/10-flannel.conflist",
            JSON.stringify(
                {
                    name: "cbr0",
                    cniVersion: "0.3.1",
                    plugins: [
                        { type: "flannel", delegate: { hairpinMode: true, isDefaultGateway: true } },
                        { type: "portmap", capabilities: { portMappings: true } },
                    ],
                },
                null,
                2,
            ),
        );
    }
    if (shape.migrated) {
        link(root, `${units}/flanneld.service`, "/dev/null");
        put(root, "/var/lib/flannel-to-calico/migrated", "2026-01-01T00:00:00Z\n");
        put(
            root,
            "/etc/cni/net.d/10-calico.conflist",
            JSON.stringify(
                {
                    name: "k8s-pod-network",
                    cniVersion: "0.3.1",
                    plugins: [{ type: "calico", ipam: { type: "calico-ipam" } }, { type: "portmap" }],
                },
                null,
                2,
            ),
        );
    }
    if (shape.staleCni ?? true) {
        put(root, "/var/lib/cni/networks/k8s-pod-network/172.30.8.5", "old\n");
        put(root, "/etc/cni/net.d/calico-kubeconfig", "# stale\n");
    }
    return r;
}
