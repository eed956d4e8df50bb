/** The `ssh` section: how the node scripts reach every node (user, key, host keys, bastion, dial limits). */
import { addressProblem } from "./net";
import { Raw, Reader } from "./reader";
import { Bastion, SshSettings } from "./types";

const KEYS = ["user", "port", "privateKey", "insecureIgnoreHostKeys", "bastion", "dialErrorLimit", "perDialTimeout"];
const HOST_KEY_TYPES = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh\\.com",
    "sk-ecdsa-sha2-nistp256@openssh\\.com",
];
/** A public host key line: "ssh-ed25519 AAAA... [comment]". */
export const HOST_KEY = new RegExp(`^(${HOST_KEY_TYPES.join("|")}) [A-Za-z0-9+/]+={0,3}( .*)?$`);

function readBastion(
    r: Reader,
    v: unknown,
    defaults: { user: string; insecureIgnoreHostKeys: boolean },
): Bastion | undefined {
    const bo = r.object("ssh.bastion", v, false);
    if (!bo) return undefined;
    r.unknownKeys("ssh.bastion", bo, ["host", "port", "user", "hostKey", "privateKey"]);
    const host = r.string("ssh.bastion.host", bo.host, { required: true });
    const hostProblem = host === undefined ? undefined : addressProblem(host);
    if (hostProblem) r.problem("ssh.bastion.host", host, hostProblem);
    const port = r.intOr("ssh.bastion.port", bo.port, 22, { min: 1, max: 65535 });
    const user = r.stringOr("ssh.bastion.user", bo.user, defaults.user);
    const hostKey = r.string("ssh.bastion.hostKey", bo.hostKey);
    if (hostKey !== undefined && !HOST_KEY.test(hostKey)) {
        r.problem(
            "ssh.bastion.hostKey",
            hostKey,
            `expected a public host key line such as "ssh-ed25519 AAAA..." (ssh-keyscan -t ed25519 HOST)`,
        );
    }
    if (hostKey === undefined && !defaults.insecureIgnoreHostKeys) {
        r.problem(
            "ssh.bastion.hostKey",
            undefined,
            `pin the bastion's host key ("ssh-ed25519 AAAA...", from ssh-keyscan on a trusted network) or set ssh.insecureIgnoreHostKeys: true`,
        );
    }
    const privateKey = r.secret("ssh.bastion.privateKey", bo.privateKey, "an SSH private key");
    if (!host) return undefined;
    return { host, port, user, ...(hostKey ? { hostKey } : {}), ...(privateKey ? { privateKey } : {}) };
}

export function readSsh(r: Reader, raw: unknown, deps: { dryRun: boolean }): SshSettings {
    const s: Raw = r.section("ssh", raw, KEYS);
    const user = r.stringOr("ssh.user", s.user, "root");
    const port = r.intOr("ssh.port", s.port, 22, { min: 1, max: 65535 });
    const privateKey = r.secret("ssh.privateKey", s.privateKey, "an SSH private key");
    const insecureIgnoreHostKeys = r.bool("ssh.insecureIgnoreHostKeys", s.insecureIgnoreHostKeys, false);
    const dialErrorLimit = r.intOr("ssh.dialErrorLimit", s.dialErrorLimit, 10, { min: 1, max: 1000 });
    const perDialTimeout = r.intOr("ssh.perDialTimeout", s.perDialTimeout, 15, {
        min: 1,
        max: 600,
        fix: "expected seconds per SSH dial attempt, 1 to 600",
    });
    if (!deps.dryRun && !privateKey && s.privateKey === undefined) {
        r.problem(
            "ssh.privateKey",
            undefined,
            "pulumi up runs the node scripts over SSH and needs a key: " +
                "pulumi config set --path --secret flannel-to-calico:ssh.privateKey < ~/.ssh/id_ed25519",
        );
    }
    const bastion = readBastion(r, s.bastion, { user, insecureIgnoreHostKeys });
    return {
        user,
        port,
        ...(privateKey ? { privateKey } : {}),
        insecureIgnoreHostKeys,
        ...(bastion ? { bastion } : {}),
        dialErrorLimit,
        perDialTimeout,
    };
}
