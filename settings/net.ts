/** IPv4 addresses and CIDRs: parsing, containment and overlap. Pure functions. */

export interface Cidr {
    /** As the user wrote it, normalised: "172.30.0.0/16". */
    readonly text: string;
    /** Network address as an unsigned 32-bit number. */
    readonly base: number;
    readonly prefix: number;
}

/** Parses a dotted IPv4 address; undefined when it is not one. */
export function parseIPv4(s: string): number | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
    if (!m) return undefined;
    const parts = m.slice(1).map(Number);
    if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
    return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIPv4(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; why: string };

/**
 * Parses "a.b.c.d/n". Host bits must be zero (172.30.0.1/16 is refused: the
 * pool and the service range are networks, and a typo there is a real bug).
 */
export function parseCidr(s: unknown): CidrResult {
    if (typeof s !== "string") return { ok: false, why: "expected a string like 172.30.0.0/16" };
    const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
    if (!m) return { ok: false, why: "expected an IPv4 network like 172.30.0.0/16" };
    const base = parseIPv4(m[1]);
    const prefix = Number(m[2]);
    if (base === undefined) return { ok: false, why: `"${m[1]}" is not an IPv4 address` };
    if (prefix < 1 || prefix > 32) return { ok: false, why: `prefix /${prefix} is outside 1..32` };
    if ((base & mask(prefix)) >>> 0 !== base) {
        const net = formatIPv4((base & mask(prefix)) >>> 0);
        return { ok: false, why: `host bits are set; the network is ${net}/${prefix}` };
    }
    return { ok: true, cidr: { text: `${formatIPv4(base)}/${prefix}`, base, prefix } };
}

export function cidrContains(c: Cidr, ip: number): boolean {
    return (ip & mask(c.prefix)) >>> 0 === c.base;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    const p = Math.min(a.prefix, b.prefix);
    return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/** The /prefix network that holds ip, for "same subnet" checks. */
export function subnetOf(ip: number, prefix: number): number {
    return (ip & mask(prefix)) >>> 0;
}

/** A DNS name as a node address (RFC 1123 labels). */
export function isHostname(s: string): boolean {
    return (
        s.length <= 253 &&
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(s) &&
        !/^[\d.]+$/.test(s)
    );
}

/** An IPv6 literal, loosely: enough to accept it as a node address. */
export function isIPv6(s: string): boolean {
    return /^[0-9a-f:]+$/i.test(s) && s.includes(":") && s.split("::").length <= 2;
}

/** Why a node or bastion address is not one; undefined when it is fine. */
export function addressProblem(addr: string): string | undefined {
    if (parseIPv4(addr) !== undefined || isIPv6(addr) || isHostname(addr)) return undefined;
    return "expected an IPv4 or IPv6 address or a DNS name";
}
