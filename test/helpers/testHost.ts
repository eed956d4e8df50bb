/**
 * Test hosts that look like the tutorial's nodes: each a network namespace
 * with its own sshd and its own mount namespace (unit files, /run, CNI and
 * state directories bind-mounted from a per-host directory), a real
 * flannel.1 vxlan link, a docker0 bridge with a Flannel address and real
 * masquerade rules. systemctl, docker and kubelet are recorders on PATH.
 * Needs root; `hostTestsAvailable()` says whether this machine can build them.
 *
 * Over 250 lines because one host is one namespace recipe (links, NAT rules,
 * unit files, sshd), kept whole so it reads in order; it serves the cases a
 * real node here cannot express (hosts.test.ts) and preflight's Flannel facts.
 */
import { execFileSync, spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { shq } from "../../nodes/render";
import { TUTORIAL_DOCKER_SERVICE, TUTORIAL_FLANNELD_SERVICE, tutorialKubeletService } from "../realnode/units";

const STUBS = path.join(__dirname, "stubs");
export const POD_CIDR = "172.30.0.0/16";

/** Directories of the real filesystem that each host sees as its own. */
const BOUND = [
    "/etc/systemd/system",
    "/run",
    "/var/lib/cni",
    "/var/lib/flannel-to-calico",
    "/etc/cni/net.d",
    "/opt/k8s/bin",
    "/opt/cni/bin",
    "/etc/docker",
    "/etc/flanneld",
    "/usr/local/sbin",
];

export function hostTestsAvailable(): { ok: boolean; why?: string } {
    if (process.getuid?.() !== 0) return { ok: false, why: "not root: network and mount namespaces need root" };
    for (const bin of ["ip", "unshare", "/usr/sbin/sshd", "ssh", "ssh-keygen"]) {
        try {
            execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
        } catch {
            return {
                ok: false,
                why: `${bin} is not installed (apt-get install openssh-server openssh-client iproute2 iptables)`,
            };
        }
    }
    try {
        execFileSync("sh", ["-c", "command -v iptables || test -x /usr/sbin/iptables"], { stdio: "ignore" });
    } catch {
        return { ok: false, why: "iptables is not installed" };
    }
    try {
        execFileSync("ip", ["netns", "add", "f2c-probe"], { stdio: "ignore" });
        execFileSync("ip", ["netns", "del", "f2c-probe"], { stdio: "ignore" });
    } catch {
        return { ok: false, why: "cannot create network namespaces here" };
    }
    return { ok: true };
}

export interface HostShape {
    /** kubelet --version prints this. Default 1.14.2. */
    readonly kubeletVersion?: string;
    /** Replace the tutorial's kubelet.service text. */
    readonly kubeletService?: string;
    /** containerd instead of docker (kubelet 1.24+): no docker.service, pods seen through crictl. */
    readonly containerd?: boolean;
    /** An iptables that answers --version like CentOS 7's 1.4.21 (no back end named). */
    readonly oldIptables?: boolean;
}

export interface TestHost {
    readonly name: string;
    readonly index: number;
    readonly address: string;
    readonly port: number;
    readonly hostKey: string;
    readonly dir: string;
    /** Path of a file as the host sees it: /etc/systemd/system/x -> its backing file. */
    file(p: string): string;
    /** Runs a command inside the host's namespaces (as root, outside SSH). */
    exec(cmd: string): string;
    stop(): void;
}

function sh(cmd: string, opts: { input?: string } = {}): string {
    return execFileSync("bash", ["-c", cmd], { encoding: "utf8", input: opts.input, stdio: ["pipe", "pipe", "pipe"] });
}

export interface HostFleet {
    readonly keyFile: string;
    readonly privateKey: string;
    readonly hosts: TestHost[];
    create(name: string, shape?: HostShape): Promise<TestHost>;
    destroy(): void;
}

let fleetCounter = 0;

export function createFleet(): HostFleet {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-hosts-"));
    // sshd reads authorized_keys as the logging-in user: non-root test users must be able to reach it.
    fs.chmodSync(base, 0o711);
    const keyFile = path.join(base, "id_ed25519");
    sh(`ssh-keygen -q -t ed25519 -N '' -C f2c-test -f ${keyFile}`);
    const privateKey = fs.readFileSync(keyFile, "utf8");
    const hosts: TestHost[] = [];
    const procs: ChildProcess[] = [];
    const fleetId = `${process.pid}-${fleetCounter++}`;
    removeStaleHosts();
    let next = 1;
    return {
        keyFile,
        privateKey,
        hosts,
        async create(name: string, shape: HostShape = {}): Promise<TestHost> {
            const index = next++;
            const ns = `f2c-${fleetId}-${index}`;
            const veth = `f2c${fleetId.replace("-", "")}h${index}`.slice(0, 15);
            const { rootAddr, address } = freeSubnet();
            const dir = path.join(base, name);
            const file = (p: string) => path.join(dir, "fs", p);
            for (const b of BOUND) fs.mkdirSync(file(b), { recursive: true });
            for (const d of ["/run/sshd", "/run/f2c-host-state", "/etc/systemd/system/multi-user.target.wants"])
                fs.mkdirSync(file(d), { recursive: true });
            // Recorders on PATH (/usr/local/sbin comes first in sshd's default PATH).
            for (const stub of ["systemctl", "docker", "crictl"]) {
                fs.copyFileSync(path.join(STUBS, stub), file(`/usr/local/sbin/${stub}`));
                fs.chmodSync(file(`/usr/local/sbin/${stub}`), 0o755);
            }
            if (shape.oldIptables) {
                fs.writeFileSync(
                    file("/usr/local/sbin/iptables"),
                    `#!/bin/sh\n[ "$1" = --version ] && { echo "iptables v1.4.21"; exit 0; }\nexec /usr/sbin/iptables-nft "$@"\n`,
                    { mode: 0o755 },
                );
                // CentOS 7 has no iptables-legacy or iptables-nft:
                // these shadow the machine's and fail like a missing command.
                for (const b of ["iptables-legacy", "iptables-nft"])
                    fs.writeFileSync(file(`/usr/local/sbin/${b}`), "#!/bin/sh\nexit 127\n", { mode: 0o755 });
            }
            const version = shape.kubeletVersion ?? "1.14.2";
            fs.writeFileSync(
                file("/opt/k8s/bin/kubelet"),
                `#!/bin/sh\necho "kubelet $*" >> /run/f2c-host-state/kubelet.log\n[ "$1" = --version ] && echo "Kubernetes v${version}"\nexit 0\n`,
                { mode: 0o755 },
            );
            const state = file("/run/f2c-host-state");
            const unitDir = file("/etc/systemd/system");
            if (shape.containerd) {
                fs.writeFileSync(
                    path.join(unitDir, "containerd.service"),
                    "[Unit]\nDescription=containerd container runtime\n[Service]\nExecStart=/usr/local/bin/containerd\n",
                );
                fs.writeFileSync(path.join(state, "containerd.service.active"), "");
                fs.mkdirSync(path.join(state, "pods"), { recursive: true });
                fs.writeFileSync(path.join(state, "pods", "p-app-1"), "pod\n");
                fs.writeFileSync(path.join(state, "pods", "p-proxy"), "host\n");
            } else {
                fs.writeFileSync(path.join(unitDir, "docker.service"), TUTORIAL_DOCKER_SERVICE);
                fs.writeFileSync(path.join(state, "docker.service.enabled"), "");
                fs.writeFileSync(path.join(state, "docker.service.active"), "");
            }
            fs.writeFileSync(
                path.join(unitDir, "kubelet.service"),
                shape.kubeletService ?? tutorialKubeletService(name),
            );
            fs.writeFileSync(path.join(state, "kubelet.service.active"), "");
            fs.writeFileSync(
                file("/etc/docker/daemon.json"),
                JSON.stringify(
                    { "live-restore": true, "max-concurrent-downloads": 20, "data-root": "/data/k8s/docker/data" },
                    null,
                    2,
                ),
            );
            const subnet = `172.30.${index * 8}`;
            fs.writeFileSync(path.join(unitDir, "flanneld.service"), TUTORIAL_FLANNELD_SERVICE);
            fs.mkdirSync(path.join(unitDir, "docker.service.requires"), { recursive: true });
            fs.symlinkSync(
                "/etc/systemd/system/flanneld.service",
                path.join(unitDir, "docker.service.requires", "flanneld.service"),
            );
            fs.writeFileSync(path.join(state, "flanneld.service.enabled"), "");
            fs.writeFileSync(path.join(state, "flanneld.service.active"), "");
            fs.mkdirSync(file("/run/flannel"), { recursive: true });
            fs.writeFileSync(
                file("/run/flannel/docker"),
                `DOCKER_NETWORK_OPTIONS=" --bip=${subnet}.1/21 --ip-masq=false --mtu=1450"\n`,
            );
            fs.writeFileSync(
                file("/run/flannel/subnet.env"),
                `FLANNEL_NETWORK=${POD_CIDR}\nFLANNEL_SUBNET=${subnet}.1/21\n`,
            );
            fs.mkdirSync(file("/etc/flanneld/cert"), { recursive: true });
            fs.writeFileSync(file("/etc/flanneld/cert/flanneld.pem"), "-----BEGIN CERTIFICATE-----\n");
            fs.writeFileSync(
                file("/etc/cni/net.d/10-flannel.conflist"),
                JSON.stringify({
                    name: "cbr0",
                    plugins: [{ type: "flannel", delegate: { hairpinMode: true } }, { type: "portmap" }],
                }),
            );
            fs.writeFileSync(
                file("/etc/cni/net.d/99-loopback.conf"),
                JSON.stringify({ cniVersion: "0.3.1", type: "loopback" }),
            );
            fs.mkdirSync(file("/var/lib/cni/networks/k8s-pod-network"), { recursive: true });
            fs.writeFileSync(file("/var/lib/cni/networks/k8s-pod-network/172.30.8.5"), "old");
            fs.writeFileSync(file("/etc/cni/net.d/calico-kubeconfig"), "stale");

            // sshd of this host.
            const sshd = path.join(dir, "sshd");
            fs.mkdirSync(sshd, { recursive: true });
            sh(`ssh-keygen -q -t ed25519 -N '' -C '' -f ${sshd}/ssh_host_ed25519_key`);
            fs.copyFileSync(`${keyFile}.pub`, path.join(sshd, "authorized_keys"));
            for (const p of [dir, sshd]) fs.chmodSync(p, 0o711);
            fs.chmodSync(path.join(sshd, "authorized_keys"), 0o644);
            fs.writeFileSync(
                path.join(sshd, "sshd_config"),
                [
                    `ListenAddress ${address}`,
                    "Port 22",
                    `HostKey ${sshd}/ssh_host_ed25519_key`,
                    `PidFile ${sshd}/sshd.pid`,
                    `AuthorizedKeysFile ${sshd}/authorized_keys`,
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "LogLevel ERROR",
                    "",
                ].join("\n"),
            );
            const hostKey = fs
                .readFileSync(`${sshd}/ssh_host_ed25519_key.pub`, "utf8")
                .trim()
                .split(" ")
                .slice(0, 2)
                .join(" ");

            // Network: a veth to the host, Flannel's link and docker0, Flannel's NAT rules.
            sh(`ip netns add ${ns}
ip link add ${veth} type veth peer name eth0 netns ${ns}
ip addr add ${rootAddr}/30 dev ${veth}; ip link set ${veth} up
ip netns exec ${ns} sh -ec '
ip link set lo up; ip addr add ${address}/30 dev eth0; ip link set eth0 up
ip link add docker0 type bridge; ip addr add ${subnet}.1/21 dev docker0; ip link set docker0 up
ip link add flannel.1 type vxlan id 1 dev eth0 local ${address} dstport 8472 nolearning
ip addr add ${subnet}.0/32 dev flannel.1
iptables -w -t nat -A POSTROUTING -s ${POD_CIDR} -d ${POD_CIDR} -j RETURN
iptables -w -t nat -A POSTROUTING -s ${POD_CIDR} ! -d 224.0.0.0/4 -j MASQUERADE
iptables -w -t nat -A POSTROUTING ! -s ${POD_CIDR} -d ${subnet}.0/21 -j RETURN
iptables -w -t nat -A POSTROUTING ! -s ${POD_CIDR} -d ${POD_CIDR} -j MASQUERADE
iptables -w -t nat -N FLANNEL-POSTRTG
iptables -w -t nat -A FLANNEL-POSTRTG -s ${POD_CIDR} -d ${POD_CIDR} -j RETURN
iptables -w -t nat -A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
iptables -w -N FLANNEL-FWD
iptables -w -A FLANNEL-FWD -s ${POD_CIDR} -j ACCEPT
iptables -w -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
iptables -w -t nat -A POSTROUTING -s 192.168.100.0/24 -o eth0 -j MASQUERADE
'`);
            const mounts = BOUND.map((b) => `mount --bind ${file(b)} ${b}`).join(" && ");
            for (const b of BOUND) fs.mkdirSync(b, { recursive: true });
            const proc = spawn(
                "ip",
                [
                    "netns",
                    "exec",
                    ns,
                    "unshare",
                    "--mount",
                    "--propagation",
                    "private",
                    "sh",
                    "-c",
                    `${mounts} && exec /usr/sbin/sshd -D -e -f ${sshd}/sshd_config`,
                ],
                { stdio: ["ignore", "ignore", "pipe"], detached: false },
            );
            let stderr = "";
            proc.stderr!.on("data", (d) => {
                stderr += String(d);
            });
            procs.push(proc);
            await waitForPort(address, 22, 10000, () => stderr);
            const host: TestHost = {
                name,
                index,
                address,
                port: 22,
                hostKey,
                dir,
                file,
                // Enters sshd's namespaces (its pid file names a process inside them).
                exec: (cmd: string) => {
                    const pid = fs.readFileSync(`${sshd}/sshd.pid`, "utf8").trim();
                    return sh(`nsenter -t ${pid} -n -m bash -c ${shq(cmd)} 2>&1 || true`).trim();
                },
                stop: () => {
                    try {
                        proc.kill("SIGTERM");
                    } catch {
                        /* gone */
                    }
                },
            };
            hosts.push(host);
            return host;
        },
        destroy(): void {
            for (const p of procs) {
                try {
                    p.kill("SIGKILL");
                } catch {
                    /* gone */
                }
            }
            for (let i = 1; i < next; i++) {
                try {
                    execFileSync("ip", ["netns", "del", `f2c-${fleetId}-${i}`], { stdio: "ignore" });
                } catch {
                    /* gone */
                }
            }
            fs.rmSync(base, { recursive: true, force: true });
        },
    };
}

/** Namespaces of test runs whose process is gone (a run killed mid-way): deleting one removes its veth too. */
function removeStaleHosts(): void {
    const names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
        .split("\n")
        .map((l) => l.split(" ")[0])
        .filter((n) => n.startsWith("f2c-"));
    for (const n of names) {
        const pid = Number(/^f2c-(\d+)-\d+-\d+$/.exec(n)?.[1] ?? NaN);
        const alive = Number.isInteger(pid) && fs.existsSync(`/proc/${pid}`);
        if (!alive) {
            try {
                execFileSync("ip", ["netns", "del", n], { stdio: "ignore" });
            } catch {
                /* gone */
            }
        }
    }
}

/**
 * The two addresses of a 10.213.x.y/30 that no interface on this machine uses
 * yet, picked at random so that concurrent test runs do not collide.
 */
function freeSubnet(): { rootAddr: string; address: string } {
    const used = new Set(
        execFileSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" })
            .split("\n")
            .map((l) => /inet 10\.213\.(\d+)\.(\d+)\//.exec(l))
            .filter((m): m is RegExpExecArray => !!m)
            .map((m) => `${m[1]}.${Number(m[2]) & ~3}`),
    );
    for (let tries = 0; tries < 1000; tries++) {
        const k = 1 + Math.floor(Math.random() * 16382);
        const third = Math.floor((k * 4) / 256);
        const base = (k * 4) % 256;
        if (!used.has(`${third}.${base}`))
            return { rootAddr: `10.213.${third}.${base + 1}`, address: `10.213.${third}.${base + 2}` };
    }
    throw new Error("no free /30 in 10.213.0.0/16 for a test host");
}

async function waitForPort(host: string, port: number, ms: number, why: () => string): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        const ok = await new Promise<boolean>((resolve) => {
            const s = net.connect({ host, port, timeout: 500 }, () => {
                s.destroy();
                resolve(true);
            });
            s.on("error", () => resolve(false));
            s.on("timeout", () => {
                s.destroy();
                resolve(false);
            });
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd on ${host}:${port} did not start: ${why()}`);
}
