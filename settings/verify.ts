/**
 * The `verify` section: the in-cluster network check (verify/). It runs by default; every key has a
 * default, so most stacks set none of them.
 */
import { Raw, Reader } from "./reader";
import { VerifySettings } from "./types";

const KEYS = ["enabled", "image", "clusterDomain", "outsideAddress", "acknowledgeNetworkPolicies"];

/** busybox 1.36 or later: its TLS client sends SHA-256 signature algorithms (needed for the API; see README). */
export const DEFAULT_CHECK_IMAGE = "docker.io/library/busybox:1.36.1";

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** registry[:port]/path[:tag][@sha256:digest], lower case path components. */
const IMAGE =
    /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;

/** The tag and digest of an image reference (a registry port is not a tag). */
export function imageParts(image: string): { tag?: string; digest?: string } {
    const [rest, digest] = image.split("@");
    const last = rest.split("/").pop() ?? "";
    const colon = last.indexOf(":");
    return { ...(colon >= 0 ? { tag: last.slice(colon + 1) } : {}), ...(digest ? { digest } : {}) };
}

function readImage(r: Reader, v: unknown): string {
    const image = r.stringOr("verify.image", v, DEFAULT_CHECK_IMAGE);
    if (!IMAGE.test(image)) {
        r.problem("verify.image", image, "expected an image reference such as docker.io/library/busybox:1.36.1");
        return DEFAULT_CHECK_IMAGE;
    }
    const { tag, digest } = imageParts(image);
    if (!digest && (!tag || tag === "latest")) {
        r.problem(
            "verify.image",
            image,
            "pin it: give a version tag (busybox:1.36.1) or a digest (busybox:1.36.1@sha256:...), never latest",
        );
    }
    return image;
}

function readOutside(r: Reader, v: unknown, natOutgoing: boolean): VerifySettings["outsideAddress"] {
    const text = r.string("verify.outsideAddress", v);
    if (text === undefined) return undefined;
    const m = /^([^:]+):(\d+)$/.exec(text);
    const port = m ? Number(m[2]) : 0;
    if (!m || !(IPV4.test(m[1]) || DOMAIN.test(m[1])) || port < 1 || port > 65535) {
        r.problem("verify.outsideAddress", text, "expected host:port outside the cluster, e.g. 192.0.2.10:443");
        return undefined;
    }
    if (!natOutgoing) {
        r.warn(
            `verify.outsideAddress ${text} is not checked: network.natOutgoing is false, so pods reach outside ` +
                "addresses only where the network routes pod IPs",
        );
        return undefined;
    }
    return { host: m[1], port, text };
}

function readAcknowledged(r: Reader, v: unknown): string[] {
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    for (const [i, e] of list.entries()) {
        const [ns, name, ...rest] = typeof e === "string" ? e.split("/") : [];
        const valid =
            e === "*" || (rest.length === 0 && NAME.test(ns ?? "") && (name === "*" || DOMAIN.test(name ?? "")));
        if (!valid) {
            r.problem(
                `verify.acknowledgeNetworkPolicies[${i}]`,
                e,
                'expected "namespace/name", "namespace/*" or "*" for a NetworkPolicy that Calico may enforce from the cutover',
            );
        } else out.push(e as string);
    }
    return out;
}

export function readVerify(r: Reader, raw: unknown, deps: { natOutgoing: boolean }): VerifySettings {
    const v: Raw = r.section("verify", raw, KEYS);
    const enabled = r.bool("verify.enabled", v.enabled, true);
    if (!enabled) {
        r.warn(
            "verify.enabled is false: pulumi up checks no pod traffic; it succeeds once calico-node is Ready, " +
                "which does not prove that pods on different nodes reach each other",
        );
    }
    const clusterDomain = r.stringOr("verify.clusterDomain", v.clusterDomain, "cluster.local");
    if (!DOMAIN.test(clusterDomain)) {
        r.problem(
            "verify.clusterDomain",
            clusterDomain,
            "expected the cluster's DNS domain (kubelet --cluster-domain)",
        );
    }
    const outsideAddress = readOutside(r, v.outsideAddress, deps.natOutgoing);
    return {
        enabled,
        image: readImage(r, v.image),
        clusterDomain,
        ...(outsideAddress ? { outsideAddress } : {}),
        acknowledgeNetworkPolicies: readAcknowledged(r, v.acknowledgeNetworkPolicies),
    };
}
