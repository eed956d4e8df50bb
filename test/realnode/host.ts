/**
 * What the test machine offers real-node tests, and what it needs from them:
 * tools, the cgroup layout, the systemd-nspawn flags that follow from it, the
 * per-node cgroup, addresses for the veths, and small polling helpers.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";

/** Where node copies live while a run uses them (named f2cr-<runner pid>-<n>). */
export const NODES_DIR = process.env.F2C_REALNODE_NODES ?? "/var/tmp/f2c-realnode";
export const PREFIX = "f2cr";

export function sh(cmd: string, input?: string): string {
    return execFileSync("bash", ["-c", cmd], {
        encoding: "utf8",
        input,
        stdio: ["pipe", "pipe", "pipe"],
        maxBuffer: 64 << 20,
    });
}
const has = (bin: string) => spawnSync("bash", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;

export function realNodeSupport(): { ok: boolean; why?: string } {
    if (process.getuid?.() !== 0)
        return { ok: false, why: "not root: systemd-nspawn, veths and debootstrap need root" };
    for (const [bin, pkg] of [
        ["systemd-nspawn", "systemd-container"],
        ["debootstrap", "debootstrap"],
        ["nsenter", "util-linux"],
        ["ip", "iproute2"],
        ["ssh", "openssh-client"],
        ["ssh-keygen", "openssh-client"],
    ]) {
        if (!has(bin)) return { ok: false, why: `${bin} is not installed (apt-get install ${pkg})` };
    }
    return { ok: true };
}

/** The host's cgroup layout: v2 only, v1 controllers with the v2 tree beside them (hybrid), or v1 only. */
export type CgroupLayout = "unified" | "hybrid" | "legacy";
const fsType = (p: string) => {
    try {
        return sh(`stat -fc %T ${p}`).trim();
    } catch {
        return "";
    }
};
export function cgroupLayout(): CgroupLayout {
    if (fsType("/sys/fs/cgroup") === "cgroup2fs") return "unified";
    return fsType("/sys/fs/cgroup/unified") === "cgroup2fs" ? "hybrid" : "legacy";
}

/** True when the host runs systemd as PID 1 (it then has a system bus nspawn can ask for a scope). */
export const hostHasSystemd = () => fs.existsSync("/run/systemd/system");

/**
 * systemd-nspawn flags this host needs, with the reason for each:
 * - `--register=no`: the harness reaches nodes through nsenter, never machined
 *   (machinectl needs machined on a system bus the host may not have);
 * - `--keep-unit` when PID 1 is not systemd: no bus to create a scope unit; the
 *   node runs in the cgroup the harness made for it (see nodeCgroups);
 * - `--system-call-filter=@keyring`: runc joins a session keyring, which
 *   nspawn's default filter forbids.
 */
export function nspawnFlags(): string[] {
    return ["--register=no", ...(hostHasSystemd() ? [] : ["--keep-unit"]), "--system-call-filter=@keyring"];
}

/**
 * The cgroup directories a node's nspawn is moved into before it starts, when
 * it keeps its unit (`--keep-unit` puts the node's systemd in "payload" below
 * the current cgroup: without its own cgroup, two nodes would share one).
 */
export function nodeCgroups(id: string): string[] {
    if (hostHasSystemd()) return [];
    switch (cgroupLayout()) {
        case "unified":
            return [`/sys/fs/cgroup/${id}`];
        case "hybrid":
            return [`/sys/fs/cgroup/systemd/${id}`, `/sys/fs/cgroup/unified/${id}`];
        case "legacy":
            return [`/sys/fs/cgroup/systemd/${id}`];
    }
}

/** A 10.213.x.y/30 no interface here uses: the host end (.1) and the node end (.2). */
export function freeSubnet(): { hostAddr: string; nodeAddr: string } {
    const used = new Set(
        sh("ip -4 -o addr show")
            .split("\n")
            .map((l) => /inet 10\.213\.(\d+)\.(\d+)\//.exec(l))
            .filter((m): m is RegExpExecArray => !!m)
            .map((m) => `${m[1]}.${Number(m[2]) & ~3}`),
    );
    for (let tries = 0; tries < 1000; tries++) {
        const k = 1 + Math.floor(Math.random() * 16382);
        const third = Math.floor((k * 4) / 256),
            base = (k * 4) % 256;
        if (!used.has(`${third}.${base}`))
            return { hostAddr: `10.213.${third}.${base + 1}`, nodeAddr: `10.213.${third}.${base + 2}` };
    }
    throw new Error("no free /30 in 10.213.0.0/16 for a real test node");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 50 ms until it returns a value (not undefined or false); throws after `ms`. */
export async function until<T>(
    what: string,
    ms: number,
    probe: () => T | undefined | false,
    why: () => string = () => "",
): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
        const v = probe();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s. ${why()}`.trim());
        await sleep(50);
    }
}

/** A synchronous TCP probe (the harness polls): bash's /dev/tcp with a short timeout. */
export function portOpen(host: string, port: number): boolean {
    const probe = spawnSync("timeout", ["1", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`], { stdio: "ignore" });
    return probe.status === 0;
}
