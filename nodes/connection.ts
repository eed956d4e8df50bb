/** The one place an SSH connection to a node is built (the component and the host tests use it). */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Secret } from "../settings/secret";
import { NodeSettings, SshSettings } from "../settings/types";

/** One SSH hop: a node, or the bastion in front of it. */
export interface SshEndpoint {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    /** Absent in preview and the offline plan when no key is configured. */
    readonly privateKey?: Secret;
    /** Absent only when ssh.insecureIgnoreHostKeys is true. */
    readonly hostKey?: string;
    readonly dialErrorLimit: number;
    readonly perDialTimeout: number;
}

export interface NodeConnection extends SshEndpoint {
    readonly proxy?: SshEndpoint;
}

export function nodeConnection(ssh: SshSettings, node: NodeSettings): NodeConnection {
    const b = ssh.bastion;
    return {
        host: node.address,
        port: node.port,
        user: node.user,
        ...(ssh.privateKey ? { privateKey: ssh.privateKey } : {}),
        // A pinned key is always checked, even where insecureIgnoreHostKeys allows nodes without one.
        ...(node.hostKey ? { hostKey: node.hostKey } : {}),
        dialErrorLimit: ssh.dialErrorLimit,
        perDialTimeout: ssh.perDialTimeout,
        ...(b
            ? {
                  proxy: {
                      host: b.host,
                      port: b.port,
                      user: b.user,
                      ...((b.privateKey ?? ssh.privateKey) ? { privateKey: b.privateKey ?? ssh.privateKey } : {}),
                      ...(b.hostKey ? { hostKey: b.hostKey } : {}),
                      dialErrorLimit: ssh.dialErrorLimit,
                      perDialTimeout: ssh.perDialTimeout,
                  },
              }
            : {}),
    };
}

/** The connection as the command provider takes it: keys as Pulumi secrets. */
export function toConnectionArgs(c: NodeConnection): command.types.input.remote.ConnectionArgs {
    const { privateKey, proxy, ...rest } = c;
    const proxyArgs = proxy
        ? { proxy: { ...proxy, ...(proxy.privateKey ? { privateKey: pulumi.secret(proxy.privateKey.reveal()) } : {}) } }
        : {};
    return {
        ...rest,
        ...(privateKey ? { privateKey: pulumi.secret(privateKey.reveal()) } : {}),
        ...proxyArgs,
    } as command.types.input.remote.ConnectionArgs;
}
