/**
 * Real-node test nodes: a copy of the cached Debian image per node, laid out
 * in the tutorial's shape, booted with systemd-nspawn (real systemd as PID 1,
 * real dockerd or containerd), reached over real SSH through a veth, entered
 * with nsenter for assertions. Needs root (see host.ts for what else).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { nspawnFlags, portOpen, sh, sleep, until } from "./host";
import { cleanNode, initPid, killNode, NodeMeta, nspawnOf, storageBinds, writeMeta } from "./lifecycle";
import { ResolvedShape } from "./shape";
import { NodeConnection, Secret } from "./project";

export interface ExecResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Times of one node, in ms: boot is to `running`/`degraded`, ready adds its units settled and sshd answering. */
export interface NodeTimes {
    copy: number;
    boot: number[];
    ready: number[];
    pods?: number;
}

export class RealNode {
    readonly times: NodeTimes = { copy: 0, boot: [], ready: [] };
    constructor(
        readonly name: string,
        readonly address: string,
        readonly hostAddr: string,
        readonly hostKey: string,
        readonly shape: ResolvedShape,
        private readonly meta: NodeMeta,
        private readonly privateKey: string,
    ) {}

    get root(): string {
        return path.join(this.meta.dir, "root");
    }
    /** PID 1 of the running node (on the host), or undefined when it is off. */
    get pid(): number | undefined {
        return initPid(nspawnOf(this.meta));
    }

    /** Runs a command in every namespace of the node, as root; never throws on a non-zero exit. */
    exec(cmd: string, timeoutMs = 60000): ExecResult {
        const pid = this.pid;
        if (!pid) return { code: -1, stdout: "", stderr: `node ${this.name} is not running` };
        const r = spawnSync("nsenter", ["-t", String(pid), "-a", "env", "-i", `PATH=${PATH}`, "bash", "-c", cmd], {
            encoding: "utf8",
            timeout: timeoutMs,
            maxBuffer: 64 << 20,
        });
        return {
            code: r.status ?? -1,
            stdout: r.stdout ?? "",
            stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""),
        };
    }
    /** Runs a command in the node and returns its stdout; throws with its output when it fails. */
    sh(cmd: string, timeoutMs?: number): string {
        const r = this.exec(cmd, timeoutMs);
        if (r.code !== 0) throw new Error(`on ${this.name}: \`${cmd}\` exited ${r.code}\n${r.stdout}${r.stderr}`);
        return r.stdout;
    }

    /** SSH settings as the component builds them: the node's address, root, the run's key, the pinned host key. */
    connection(): NodeConnection {
        return {
            host: this.address,
            port: 22,
            user: "root",
            privateKey: new Secret(this.privateKey),
            hostKey: this.hostKey,
            dialErrorLimit: 1,
            perDialTimeout: 3,
        };
    }

    /** Boots the node; waits for systemd (running or degraded), the shape's units, sshd. Returns ms to ready. */
    async boot(): Promise<number> {
        if (this.pid) throw new Error(`node ${this.name} is already running`);
        const t0 = Date.now();
        for (const c of this.meta.cgroups) fs.mkdirSync(c, { recursive: true });
        const log = fs.openSync(path.join(this.meta.dir, "boot.log"), "a");
        const enter = this.meta.cgroups.map((c) => `echo $$ > ${c}/cgroup.procs`).join("; ");
        const args = [
            "-D",
            this.root,
            "-M",
            this.name,
            "-b",
            "--console=pipe",
            "--link-journal=no",
            ...nspawnFlags(),
            `--network-veth-extra=${this.meta.hostIf}:eth0`,
            ...storageBinds(this.meta.dir),
        ];
        const p = spawn("bash", ["-c", `${enter ? enter + "; " : ""}exec systemd-nspawn "$@"`, "nspawn", ...args], {
            stdio: ["ignore", log, log],
            detached: true,
        });
        p.unref();
        fs.closeSync(log);
        this.meta.nspawn = p.pid;
        writeMeta(this.meta);
        const bootLog = () => {
            try {
                return fs.readFileSync(path.join(this.meta.dir, "boot.log"), "utf8").split("\n").slice(-15).join("\n");
            } catch {
                return "";
            }
        };
        await until(`${this.name}: nspawn starts its systemd`, 15000, () => this.pid, bootLog);
        await until(
            `${this.name}: host end of the veth`,
            5000,
            () => spawnSync("ip", ["link", "show", this.meta.hostIf], { stdio: "ignore" }).status === 0,
        );
        sh(`ip addr replace ${this.hostAddr}/30 dev ${this.meta.hostIf} && ip link set ${this.meta.hostIf} up`);
        await until(
            `${this.name}: systemctl is-system-running says running or degraded`,
            60000,
            () => /^(running|degraded)$/m.test(this.exec("systemctl is-system-running").stdout),
            () =>
                this.exec(
                    "systemctl is-system-running; systemctl --failed --no-legend; systemctl list-jobs --no-legend | head",
                ).stdout,
        );
        this.times.boot.push(Date.now() - t0);
        const units = this.shape.services.filter((u) => !(u === "flanneld" && this.isMasked("flanneld")));
        await this.settle(units);
        await until(`${this.name}: sshd answers on ${this.address}:22`, 10000, () => portOpen(this.address, 22));
        const ms = Date.now() - t0;
        this.times.ready.push(ms);
        return ms;
    }

    /**
     * Waits until every unit is active and stays so (same InvocationID) for a
     * second: a Type=simple unit is "active" for a moment before it dies.
     */
    async settle(units: readonly string[], ms = 60000): Promise<void> {
        const state = () => this.exec(`systemctl show -p ActiveState -p InvocationID ${units.join(" ")}`).stdout;
        const end = Date.now() + ms;
        for (;;) {
            const a = state();
            if ((a.match(/^ActiveState=active$/gm) ?? []).length === units.length) {
                await sleep(1000);
                if (state() === a) return;
            }
            if (Date.now() > end)
                throw new Error(
                    `${this.name}: ${units.join(", ")} not all active within ${ms / 1000} s:\n${this.exec(`systemctl is-active ${units.join(" ")}; journalctl -n 20 --no-pager`).stdout}`,
                );
            await sleep(100);
        }
    }

    isMasked(unit: string): boolean {
        return this.exec(`systemctl is-enabled ${unit}`).stdout.trim() === "masked";
    }

    /** Powers the node off: hard is a power cut (PID 1 killed), else `systemctl poweroff`. */
    async poweroff(opts: { hard?: boolean } = {}): Promise<void> {
        this.recordContainers();
        const ns = nspawnOf(this.meta);
        if (!ns) return;
        if (!opts.hard) {
            this.exec("systemctl poweroff --no-block");
            try {
                await until(`${this.name}: poweroff`, 30000, () => !fs.existsSync(`/proc/${ns}`));
                return;
            } catch {
                /* falls through to a power cut */
            }
        }
        await killNode(this.meta);
    }

    async reboot(opts: { hard?: boolean } = {}): Promise<number> {
        await this.poweroff(opts);
        return this.boot();
    }

    /** Container ids of the node's docker (their cgroups outlive the node on cgroup v1). */
    recordContainers(): void {
        if (this.shape.runtime !== "docker" || !this.pid) return;
        const ids = this.exec("docker ps -aq --no-trunc", 10000).stdout.split("\n").filter(Boolean);
        this.meta.containers = [...new Set([...this.meta.containers, ...ids])];
        writeMeta(this.meta);
    }

    /** Makes the pod sandboxes (pods.sh) and records their ids. Returns pods.sh's output. */
    makePods(): string {
        const t0 = Date.now();
        const out = this.sh("/opt/f2c/pods.sh", 60000);
        this.times.pods = Date.now() - t0;
        this.recordContainers();
        return out;
    }

    /** Fills the node's registry on 127.0.0.1:5000 with these image names, so preflight's pulls are real. */
    seedRegistry(images: readonly string[]): void {
        if (images.some((i) => !i.startsWith("127.0.0.1:5000/")))
            throw new Error(`seed only 127.0.0.1:5000 images, not ${images.join(" ")}`);
        this.sh(`/opt/f2c/seed-registry.sh ${images.join(" ")}`, 120000);
    }

    private destroyed = false;
    async destroy(): Promise<void> {
        if (this.destroyed) return;
        this.destroyed = true;
        this.recordContainers();
        await cleanNode(this.meta);
    }
}
