/**
 * A run's real test nodes: the image (built or reused), the SSH key the nodes
 * authorize, and each node made from a shape; destroyed together. A fleet
 * sweeps the nodes of killed runs before it makes its own.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freeSubnet, NODES_DIR, nodeCgroups, PREFIX, sh } from "./host";
import { makeRoot, NodeMeta, removeEmptyDockerCgroups, sweepStale, writeMeta } from "./lifecycle";
import { layout } from "./layout";
import { RealNode } from "./node";
import { NodeShape } from "./shape";

export interface ImageInfo {
    readonly rootfs: string;
    readonly ms: number;
    readonly hash: string;
}

/** Builds or reuses the cached image (image.sh); its progress goes to stderr. */
export function buildImage(): ImageInfo {
    const script = path.join(__dirname, "image.sh");
    const t0 = Date.now();
    const out = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const rootfs = out.trim().split("\n").pop() ?? "";
    if (!fs.existsSync(rootfs)) throw new Error(`image.sh printed no image path: ${out}`);
    return { rootfs, ms: Date.now() - t0, hash: execFileSync("bash", [script, "--hash"], { encoding: "utf8" }).trim() };
}

export class RealFleet {
    readonly nodes: RealNode[] = [];
    private next = 1;
    private constructor(
        readonly image: ImageInfo,
        readonly dir: string,
        readonly privateKey: string,
        private readonly publicKey: string,
    ) {}

    static async create(): Promise<RealFleet> {
        await sweepStale();
        const image = buildImage();
        fs.mkdirSync(NODES_DIR, { recursive: true });
        const dir = path.join(NODES_DIR, `${PREFIX}-${process.pid}-keys`);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        sh(`ssh-keygen -q -t ed25519 -N '' -C f2c-realnode -f ${dir}/id_ed25519`);
        const key = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
        return new RealFleet(image, dir, key("id_ed25519"), key("id_ed25519.pub"));
    }

    /** Gives the node its own root from the image, lays the shape out, boots it, makes its pods. */
    async create(name: string, shape: NodeShape = {}): Promise<RealNode> {
        const index = this.next++;
        const id = `${PREFIX}-${process.pid}-${index}`;
        const dir = path.join(NODES_DIR, id);
        const hostIf = `${PREFIX}${(process.pid % 100000).toString(36)}n${index}`.slice(0, 15);
        const meta: NodeMeta = { runner: process.pid, dir, hostIf, cgroups: nodeCgroups(id), containers: [] };
        fs.mkdirSync(dir, { recursive: true });
        writeMeta(meta);
        const t0 = Date.now();
        makeRoot(this.image.rootfs, dir);
        const copy = Date.now() - t0;
        const { hostAddr, nodeAddr } = freeSubnet();
        sh(`ssh-keygen -q -t ed25519 -N '' -C '' -f ${dir}/ssh_host_ed25519_key`);
        const pub = fs.readFileSync(`${dir}/ssh_host_ed25519_key.pub`, "utf8");
        const hostKey = pub.trim().split(" ").slice(0, 2).join(" ");
        const hostKeyFile = `${dir}/ssh_host_ed25519_key`;
        const resolved = layout(path.join(dir, "root"), shape, {
            name,
            index,
            nodeAddr,
            hostKeyFile,
            authorizedKey: this.publicKey,
        });
        const node = new RealNode(name, nodeAddr, hostAddr, hostKey, resolved, meta, this.privateKey);
        node.times.copy = copy;
        this.nodes.push(node);
        await node.boot();
        if (resolved.pods) node.makePods();
        return node;
    }

    async destroy(): Promise<void> {
        for (const n of this.nodes) await n.destroy();
        removeEmptyDockerCgroups();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
