/**
 * What the engine stores per node, estimated from the registrations: for
 * every resource its inputs and its outputs (pulumi-command's outputs repeat
 * the inputs, plus stdout and stderr for a command: provider/pkg/provider
 * remote commandOutputs, v1.2.1), with the connection stored encrypted in
 * both. Pure.
 */
import { Registration } from "./monitor";

/** An OpenSSH ed25519 private key file is 399 bytes (ssh-keygen -t ed25519). */
export const ED25519_KEY_BYTES = 399;

/** stdout of each node command on a real node (test/realnode/shipping.test.ts: 164 and 161 bytes), rounded up. */
export const MEASURED_STDOUT_BYTES: Readonly<Record<string, number>> = { preflight: 170, cutover: 170 };

/** A secret in state: its JSON, encrypted (AES-GCM nonce and tag), base64, in Pulumi's secret envelope. */
export function encryptedBytes(plainBytes: number): number {
    return Math.ceil(((plainBytes + 28) * 4) / 3) + 90;
}

export interface NodeState {
    readonly resources: number;
    /** Inputs and outputs, the connection left out. */
    readonly withoutConnection: number;
    /** The encrypted connection, in the inputs and outputs of every resource. */
    readonly connection: number;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? null));

export function nodeState(regs: readonly Registration[], node: string): NodeState {
    const mine = regs.filter((r) => r.custom && r.name.startsWith(`${node}-`) && r.type.startsWith("command:"));
    let withoutConnection = 0;
    let connection = 0;
    for (const r of mine) {
        const { connection: conn, ...rest } = r.inputs;
        const keyed = { ...(conn as Record<string, unknown>), privateKey: "k".repeat(ED25519_KEY_BYTES) };
        const command = r.name.slice(node.length + 1);
        const stdout = r.type === "command:remote:Command" ? (MEASURED_STDOUT_BYTES[command] ?? 0) : 0;
        // Inputs once, outputs once (they repeat the inputs), plus the command's stdout and empty stderr.
        withoutConnection += 2 * bytes(rest) + (r.type === "command:remote:Command" ? stdout + bytes("") * 2 : 0);
        connection += 2 * encryptedBytes(bytes(keyed));
    }
    return { resources: mine.length, withoutConnection, connection };
}
