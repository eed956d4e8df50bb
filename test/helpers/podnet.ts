/**
 * Pods on nodes, from network namespaces: each node is a namespace that routes for its pods
 * (Calico-like: a /32 per pod over a veth, proxy ARP, ip_forward), the nodes share an underlay
 * bridge, and each node routes 10.244.<n>.0/24 to node n. A node's default route points at an
 * absent 10.244.200.254 (proxy ARP answers only for routed addresses). A Service VIP is DNAT as kube-proxy does
 * it. Every address lives inside these namespaces (10.244.0.0/16); nothing reaches the host's
 * networks. Programs run with PATH holding only busybox's applets: the tools the check's image has.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const UNDERLAY = (n: number) => `10.244.200.${n}`;
export const SERVICE_VIP = "10.244.250.10";

export function podNetAvailable(): { ok: boolean; why?: string } {
    if (process.getuid?.() !== 0) return { ok: false, why: "not root: network namespaces need root" };
    for (const [bin, pkg] of [
        ["busybox", "busybox-static"],
        ["ip", "iproute2"],
        ["iptables", "iptables"],
        ["tc", "iproute2"],
        ["dnsmasq", "dnsmasq-base"],
    ]) {
        try {
            execFileSync("sh", ["-c", `command -v ${bin} || test -x /usr/sbin/${bin}`], { stdio: "ignore" });
        } catch {
            return { ok: false, why: `${bin} is not installed (apt-get install ${pkg})` };
        }
    }
    return { ok: true };
}

/** A directory of busybox's applets (symlinks) under `dir`: the only PATH the programs get. */
export function busyboxBin(dir: string): string {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const applets = execFileSync("busybox", ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
    const busybox = execFileSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).trim();
    for (const a of applets) fs.symlinkSync(busybox, path.join(bin, a));
    return bin;
}

const sh = (script: string) => execFileSync("sh", ["-ec", script], { stdio: ["ignore", "pipe", "pipe"] });

export interface Pod {
    readonly ns: string;
    readonly node: number;
    readonly ip: string;
    /** A file this pod's programs may use as their work directory. */
    readonly dir: string;
}

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export class PodNet {
    readonly id = `fv${process.pid % 10000}r${Math.floor(Math.random() * 100)}`;
    readonly bin: string;
    readonly base: string;
    private readonly namespaces: string[] = [];
    private readonly children: ChildProcess[] = [];
    private pods = 0;

    constructor(readonly nodeCount: number) {
        this.base = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-podnet-"));
        this.bin = busyboxBin(this.base);
        const u = this.netns("u");
        sh(`ip -n ${u} link add br0 type bridge && ip -n ${u} link set br0 up`);
        for (let n = 1; n <= nodeCount; n++) {
            const node = this.netns(`n${n}`);
            sh(`ip link add ${this.id}u${n} type veth peer name eth0 netns ${node}
ip link set ${this.id}u${n} netns ${u}
ip -n ${u} link set ${this.id}u${n} master br0 up
ip -n ${node} addr add ${UNDERLAY(n)}/24 dev eth0
ip -n ${node} link set eth0 up
ip netns exec ${node} sysctl -qw net.ipv4.ip_forward=1
ip -n ${node} route add default via 10.244.200.254`);
            for (let m = 1; m <= nodeCount; m++)
                if (m !== n) sh(`ip -n ${node} route add 10.244.${m}.0/24 via ${UNDERLAY(m)}`);
        }
    }

    nodeNs(n: number): string {
        return `${this.id}-n${n}`;
    }

    private netns(name: string): string {
        const ns = `${this.id}-${name}`;
        sh(`ip netns add ${ns} && ip -n ${ns} link set lo up`);
        this.namespaces.push(ns);
        return ns;
    }

    /** A pod on node n: its own namespace, a /32 address, the node as its gateway; resolv.conf names `dns`. */
    pod(node: number, name: string, ip: string, dns?: string): Pod {
        const ns = this.netns(name);
        const v = `${this.id}p${++this.pods}`;
        const n = this.nodeNs(node);
        sh(`ip link add ${v} type veth peer name eth0 netns ${ns}
ip link set ${v} netns ${n}
ip -n ${n} link set ${v} up
ip netns exec ${n} sysctl -qw net.ipv4.conf.${v}.proxy_arp=1
ip -n ${n} route add ${ip}/32 dev ${v}
ip -n ${ns} addr add ${ip}/32 dev eth0
ip -n ${ns} link set eth0 up
ip -n ${ns} route add 169.254.1.1 dev eth0 scope link
ip -n ${ns} route add default via 169.254.1.1 dev eth0`);
        if (dns) {
            fs.mkdirSync(`/etc/netns/${ns}`, { recursive: true });
            fs.writeFileSync(`/etc/netns/${ns}/resolv.conf`, `nameserver ${dns}\noptions ndots:5\n`);
        }
        const dir = path.join(this.base, name);
        fs.mkdirSync(dir, { recursive: true });
        return { ns, node, ip, dir };
    }

    /** kube-proxy's part: the VIP:port goes to one of the endpoints, on every node. */
    service(port: number, endpoints: readonly string[]): void {
        for (let n = 1; n <= this.nodeCount; n++) {
            endpoints.forEach((ep, i) => {
                const left = endpoints.length - i;
                const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(5)} ` : "";
                sh(
                    `ip netns exec ${this.nodeNs(n)} iptables -t nat -A PREROUTING -d ${SERVICE_VIP} -p tcp --dport ${port} ` +
                        `${pick}-j DNAT --to-destination ${ep}:${port}`,
                );
            });
        }
    }

    /** Runs `cmd` in the node's namespace (to break the network in a chosen way). */
    onNode(n: number, cmd: string): void {
        sh(`ip netns exec ${this.nodeNs(n)} sh -ec '${cmd}'`);
    }

    /** The environment a program sees: only busybox on PATH, plus `env`. */
    private argv(pod: Pod, program: string, env: Record<string, string>): string[] {
        const vars = Object.entries({ PATH: this.bin, HOME: pod.dir, ...env }).map(([k, v]) => `${k}=${v}`);
        return ["netns", "exec", pod.ns, "env", "-i", ...vars, path.join(this.bin, "sh"), "-c", program];
    }

    /** Starts a long-running program (a probe, a DNS server) in a pod; stopped by destroy(). */
    start(pod: Pod, program: string, env: Record<string, string> = {}): ChildProcess {
        const c = spawn("ip", this.argv(pod, program, env), { detached: true, stdio: "ignore" });
        this.children.push(c);
        return c;
    }

    /** Starts an arbitrary command (dnsmasq) in a pod. */
    startCommand(pod: Pod, argv: readonly string[]): ChildProcess {
        const c = spawn("ip", ["netns", "exec", pod.ns, ...argv], { detached: true, stdio: "ignore" });
        this.children.push(c);
        return c;
    }

    /** Stops a process this harness started, and its children, by its process group. */
    stop(c: ChildProcess): void {
        try {
            if (c.pid) process.kill(-c.pid, "SIGKILL");
        } catch {
            /* gone */
        }
    }

    /** Runs a program to its end in a pod. */
    run(pod: Pod, program: string, env: Record<string, string> = {}, timeoutMs = 120000): Promise<RunResult> {
        return new Promise((resolve) => {
            const c = spawn("ip", this.argv(pod, program, env), { detached: true });
            this.children.push(c);
            let stdout = "";
            let stderr = "";
            c.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
            c.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
            const timer = setTimeout(() => this.stop(c), timeoutMs);
            // A background process the program left behind would hold its output open: end the group.
            c.on("exit", () => this.stop(c));
            c.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code: code ?? -1, stdout, stderr });
            });
        });
    }

    /** Waits until `url` answers from `pod` (a probe has started). */
    async waitFor(pod: Pod, url: string, timeoutMs = 10000): Promise<void> {
        const until = Date.now() + timeoutMs;
        for (;;) {
            const r = await this.run(pod, `wget -q -O /dev/null ${url}`, {}, 5000);
            if (r.code === 0) return;
            if (Date.now() > until) throw new Error(`${url} did not answer from ${pod.ns}: ${r.stderr}`);
            await new Promise((res) => setTimeout(res, 100));
        }
    }

    destroy(): void {
        for (const c of this.children) this.stop(c);
        for (const ns of this.namespaces.reverse()) {
            try {
                execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
            } catch {
                /* gone */
            }
            fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
        }
        fs.rmSync(this.base, { recursive: true, force: true });
    }
}
