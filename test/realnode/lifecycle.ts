/**
 * The life cycle of a node on the host: its record (meta.json), its root (an
 * overlay on the image, or a copy), its cgroups, stopping it hard, cleaning up
 * everything it left, and sweeping the nodes of runs that were killed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cgroupLayout, NODES_DIR, PREFIX, sh } from "./host";

/** Removes a cgroup tree (children first); only empty cgroups can go, so live ones stay. */
export function removeCgroup(dir: string): void {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) removeCgroup(path.join(dir, e.name));
    try {
        fs.rmdirSync(dir);
    } catch {
        /* still has tasks */
    }
}

/**
 * On cgroup v1 a node's dockerd (its controllers remounted read-write) makes
 * /docker/<id> at the root of each host controller: remove those of its containers.
 */
export function removeContainerCgroups(ids: readonly string[]): void {
    if (cgroupLayout() === "unified") return;
    for (const ctl of fs.readdirSync("/sys/fs/cgroup")) {
        for (const id of ids) if (/^[0-9a-f]{64}$/.test(id)) removeCgroup(`/sys/fs/cgroup/${ctl}/docker/${id}`);
    }
}

/** The /docker parents of container cgroups on cgroup v1, once empty (runc makes them again when needed). */
export function removeEmptyDockerCgroups(): void {
    if (cgroupLayout() === "unified") return;
    for (const ctl of fs.readdirSync("/sys/fs/cgroup"))
        try {
            fs.rmdirSync(`/sys/fs/cgroup/${ctl}/docker`);
        } catch {
            /* absent or in use */
        }
}

export interface NodeMeta {
    runner: number;
    dir: string;
    nspawn?: number;
    hostIf: string;
    cgroups: string[];
    containers: string[];
}
export const readMeta = (dir: string): NodeMeta | undefined => {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, "meta.json"), "utf8")) as NodeMeta;
    } catch {
        return undefined;
    }
};
export const writeMeta = (m: NodeMeta) => fs.writeFileSync(path.join(m.dir, "meta.json"), JSON.stringify(m));

const alive = (pid: number | undefined) => !!pid && fs.existsSync(`/proc/${pid}`);
/** The container's PID 1: the child of nspawn that runs systemd. */
export function initPid(nspawn: number | undefined): number | undefined {
    if (!alive(nspawn)) return undefined;
    const kids = fs
        .readFileSync(`/proc/${nspawn}/task/${nspawn}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    return kids.find((k) => {
        try {
            return fs.readFileSync(`/proc/${k}/comm`, "utf8").trim() === "systemd";
        } catch {
            return false;
        }
    });
}
/** The nspawn pid is ours when its command line names the node's directory (pids get reused). */
export const nspawnOf = (m: NodeMeta) =>
    alive(m.nspawn) && fs.readFileSync(`/proc/${m.nspawn}/cmdline`, "utf8").includes(m.dir) ? m.nspawn : undefined;

/** Stops a node hard (power cut: SIGKILL to its PID 1 ends the whole container) and waits for nspawn. */
export async function killNode(m: NodeMeta): Promise<void> {
    const ns = nspawnOf(m);
    if (!ns) return;
    const init = initPid(ns);
    try {
        process.kill(init ?? ns, "SIGKILL");
    } catch {
        /* gone */
    }
    for (let i = 0; i < 100 && alive(ns); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(ns))
        try {
            process.kill(ns, "SIGKILL");
        } catch {
            /* gone */
        }
}

/** How a node gets its own root: an overlay on the shared image (default), or a full copy (F2C_REALNODE_COPY=cp). */
export const COPY_MODE: "overlay" | "cp" = process.env.F2C_REALNODE_COPY === "cp" ? "cp" : "overlay";
/**
 * Directories that must not sit on overlayfs (docker's overlay2 and
 * containerd's snapshotter refuse it): bound from the node's directory.
 */
const STORAGE = ["/data/k8s/docker/data", "/var/lib/docker", "/var/lib/containerd"];
const slug = (p: string) => p.slice(1).replace(/\//g, "_");

/** The node's root file system at <dir>/root, from the image. */
export function makeRoot(image: string, dir: string): void {
    if (COPY_MODE === "cp") {
        sh(`cp -a --reflink=auto ${image} ${dir}/root`);
        return;
    }
    for (const d of ["upper", "work", "root", ...STORAGE.map((p) => `storage/${slug(p)}`)])
        fs.mkdirSync(path.join(dir, d), { recursive: true });
    sh(`mount -t overlay f2c-realnode -o lowerdir=${image},upperdir=${dir}/upper,workdir=${dir}/work ${dir}/root`);
}
/** nspawn flags that bind the node's storage directories (overlay roots only). */
export const storageBinds = (dir: string) =>
    COPY_MODE === "cp" ? [] : STORAGE.map((p) => `--bind=${dir}/storage/${slug(p)}:${p}`);

function unmountRoot(dir: string): void {
    const root = path.join(dir, "root");
    const mounted = () => spawnSync("mountpoint", ["-q", root]).status === 0;
    for (let i = 0; i < 20 && mounted(); i++) spawnSync("umount", [root], { stdio: "ignore" });
    if (mounted()) spawnSync("umount", ["-l", root], { stdio: "ignore" });
    if (mounted()) throw new Error(`cannot unmount ${root}: remove it by hand`);
}

/** Everything a node left: its container, cgroups, host veth, root mount, files. */
export async function cleanNode(m: NodeMeta): Promise<void> {
    await killNode(m);
    removeContainerCgroups(m.containers);
    for (const c of m.cgroups) removeCgroup(c);
    spawnSync("ip", ["link", "del", m.hostIf], { stdio: "ignore" });
    unmountRoot(m.dir);
    fs.rmSync(m.dir, { recursive: true, force: true });
}

/** Nodes of runs whose runner is gone (a killed run): stopped and removed. */
export async function sweepStale(): Promise<number> {
    if (!fs.existsSync(NODES_DIR)) return 0;
    let swept = 0;
    for (const name of fs.readdirSync(NODES_DIR).filter((n) => n.startsWith(`${PREFIX}-`))) {
        const dir = path.join(NODES_DIR, name);
        const m = readMeta(dir) ?? { runner: Number(name.split("-")[1]), dir, hostIf: "", cgroups: [], containers: [] };
        if (alive(m.runner)) continue;
        await cleanNode(m);
        swept++;
    }
    return swept;
}
