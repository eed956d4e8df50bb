/**
 * Runs a rendered node script over real SSH with the connection settings the
 * component builds (nodeConnection): the same host, port, user, key and pinned
 * host key, checked strictly. Stands in for the command provider's SSH client.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NodeConnection } from "../../nodes/connection";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

export class NodeRunError extends Error {
    constructor(
        readonly node: string,
        message: string,
        readonly result?: RunResult,
    ) {
        super(`node ${node}: ${message}`);
    }
}

export function runOnNode(node: string, c: NodeConnection, script: string, timeoutMs = 60000): RunResult {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-ssh-"));
    try {
        const args = [
            "-p",
            String(c.port),
            "-o",
            "BatchMode=yes",
            "-o",
            `ConnectTimeout=${Math.min(c.perDialTimeout, 5)}`,
            "-o",
            `ConnectionAttempts=1`,
            "-o",
            "LogLevel=ERROR",
        ];
        if (c.privateKey) {
            fs.writeFileSync(path.join(dir, "key"), c.privateKey.reveal(), { mode: 0o600 });
            args.push("-i", path.join(dir, "key"), "-o", "IdentitiesOnly=yes");
        }
        if (c.hostKey) {
            fs.writeFileSync(
                path.join(dir, "known_hosts"),
                `${c.port === 22 ? c.host : `[${c.host}]:${c.port}`} ${c.hostKey}\n`,
            );
            args.push("-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes");
        } else {
            args.push("-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no");
        }
        args.push(`${c.user}@${c.host}`, script);
        const t0 = Date.now();
        const r = spawnSync("ssh", args, { encoding: "utf8", timeout: timeoutMs });
        const result = { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms: Date.now() - t0 };
        if (r.status === 255) {
            const why = /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(result.stderr)
                ? "its SSH host key does not match the pinned hostKey (possible impersonation, or the key changed: check it out of band and update nodes[].hostKey)"
                : /timed out|No route|refused|unreachable/i.test(result.stderr)
                  ? `cannot reach ${c.host}:${c.port} over SSH (${result.stderr.trim().split("\n").pop()})`
                  : `SSH failed: ${result.stderr.trim()}`;
            throw new NodeRunError(node, why, result);
        }
        return result;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Copies a local file to the node over real SFTP as the connection's user,
 * to a path relative to its home, creating the directory: what
 * remote.CopyToRemote does with a FileAsset (pulumi-command v1.2.1
 * copyController.go sftpCopy: MkdirAll of the parent, then Create).
 */
export function copyToNode(node: string, c: NodeConnection, localFile: string, remotePath: string): RunResult {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-sftp-"));
    try {
        const opts = ["-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-P", String(c.port)];
        if (c.privateKey) {
            fs.writeFileSync(path.join(dir, "key"), c.privateKey.reveal(), { mode: 0o600 });
            opts.push("-i", path.join(dir, "key"), "-o", "IdentitiesOnly=yes");
        }
        if (c.hostKey) {
            fs.writeFileSync(
                path.join(dir, "known_hosts"),
                `${c.port === 22 ? c.host : `[${c.host}]:${c.port}`} ${c.hostKey}\n`,
            );
            opts.push("-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes");
        }
        const batch = `-mkdir ${path.dirname(remotePath)}\nput ${localFile} ${remotePath}\n`;
        const t0 = Date.now();
        const r = spawnSync("sftp", [...opts, "-b", "-", `${c.user}@${c.host}`], {
            input: batch,
            encoding: "utf8",
            timeout: 30000,
        });
        const result = { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms: Date.now() - t0 };
        if (result.code !== 0) throw new NodeRunError(node, `SFTP failed: ${result.stderr.trim()}`, result);
        return result;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
