/**
 * Reading a real node's state for assertions: units, processes, links,
 * iptables (both back ends), docker's sandboxes. Everything goes through
 * nsenter (RealNode.exec), never through the scripts under test.
 */
import { RealNode } from "./node";

/** True when IPv4 address `ip` lies in `cidr`. */
export function inCidr(ip: string, cidr: string): boolean {
    const num = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(num(ip) / size) === Math.floor(num(base) / size);
}

/** `systemctl show` properties of a unit. */
export function unitProps(n: RealNode, unit: string, props: readonly string[]): Record<string, string> {
    const out = n.exec(`systemctl show ${props.map((p) => `-p ${p}`).join(" ")} ${unit}`).stdout;
    return Object.fromEntries(
        out
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
}

/** The InvocationID of each unit: a new one means systemd (re)started it. */
export const invocations = (n: RealNode, units: readonly string[]) =>
    Object.fromEntries(units.map((u) => [u, unitProps(n, u, ["InvocationID"]).InvocationID]));

/** The argv of a unit's main process, after the interpreter and script of a stand-in. */
export function mainArgv(n: RealNode, unit: string): string[] {
    const pid = unitProps(n, unit, ["MainPID"]).MainPID;
    const argv = n
        .exec(`cat /proc/${pid}/cmdline`)
        .stdout.split("\0")
        .filter((a, i, all) => i < all.length - 1 || a !== "");
    return /(^|\/)(bash|sh)$/.test(argv[0] ?? "") ? argv.slice(2) : argv.slice(1);
}

/** Output of `systemd-analyze verify` for a unit file (its warnings exit 0, so the text is what counts). */
export const verifyUnit = (n: RealNode, file: string) => {
    const r = n.exec(`systemd-analyze verify ${file} 2>&1`);
    return `${r.stdout}${r.stderr}`.trim();
};

export const failedUnits = (n: RealNode) => n.exec("systemctl list-units --failed --no-legend --plain").stdout.trim();

/** nat table of every iptables back end the node has (legacy and nft are separate). */
export function natTables(n: RealNode): string {
    return n.exec(
        'for b in iptables-nft iptables-legacy; do command -v $b-save >/dev/null && { echo "## $b"; $b-save -t nat 2>/dev/null; }; done',
    ).stdout;
}
export function filterTables(n: RealNode): string {
    return n.exec(
        'for b in iptables-nft iptables-legacy; do command -v $b-save >/dev/null && { echo "## $b"; $b-save -t filter 2>/dev/null; }; done',
    ).stdout;
}
/** Rules and chains of Flannel: anything naming FLANNEL or a source/destination in the pod CIDR. */
export function flannelLines(table: string, podCidr: string): string[] {
    return table
        .split("\n")
        .filter(
            (l) =>
                /FLANNEL/.test(l) ||
                [...l.matchAll(/(?:-s|-d) (\d+\.\d+\.\d+\.\d+)(?:\/\d+)?/g)].some((m) => inCidr(m[1], podCidr)),
        );
}

/** IPv4 addresses (a.b.c.d/n) on a link. */
export const linkAddrs = (n: RealNode, link: string) =>
    n
        .exec(`ip -4 -o addr show dev ${link}`)
        .stdout.split("\n")
        .map((l) => /inet (\S+)/.exec(l)?.[1])
        .filter((a): a is string => !!a);

/** Waits for docker's API (a Type=simple docker.service is "active" before it answers). */
export async function dockerApi(n: RealNode, ms = 30000): Promise<void> {
    const end = Date.now() + ms;
    while (n.exec("docker version --format '{{.Server.Version}}'").code !== 0) {
        if (Date.now() > end) throw new Error(`${n.name}: docker's API does not answer within ${ms / 1000} s`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

export interface Container {
    readonly id: string;
    readonly name: string;
    readonly sandbox: boolean;
    readonly network: string;
    readonly ip: string;
    readonly running: boolean;
}
/** Every container docker knows, with what a check needs. */
export function containers(n: RealNode): Container[] {
    const fmt =
        '{{.Id}}|{{.Name}}|{{index .Config.Labels "io.kubernetes.docker.type"}}|{{.HostConfig.NetworkMode}}|{{.NetworkSettings.IPAddress}}|{{.State.Running}}';
    const out = n.sh(`ids=$(docker ps -aq); [ -z "$ids" ] || docker inspect -f '${fmt}' $ids`);
    return out
        .split("\n")
        .filter(Boolean)
        .map((l) => {
            const [id, name, type, network, ip, running] = l.split("|");
            return {
                id,
                name: name.replace(/^\//, ""),
                sandbox: type === "podsandbox",
                network,
                ip,
                running: running === "true",
            };
        });
}

/** "changed" / "unchanged" lines of a step's output, and its result line. */
export const resultLine = (stdout: string) =>
    /result: (changed \(\d+ change\(s\)\)|unchanged \(nothing to do\))/.exec(stdout)?.[0] ?? "(no result line)";
export const changedLines = (stdout: string) => stdout.split("\n").filter((l) => / changed: /.test(l));
