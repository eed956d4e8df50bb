/**
 * Stack config -> one typed, validated Settings object.
 *
 * `loadSettings` is pure: it takes the raw config of one stack (as read by
 * `pulumi.Config` in index.ts, or from a Pulumi.<stack>.yaml by the offline
 * plan) and returns either the settings or every problem at once. Each problem
 * names the config key, the bad value and the fix; no message prints a secret.
 */
import { Secret } from "./secret";
import { Cidr, cidrContains, cidrsOverlap, isHostname, isIPv6, parseCidr, parseIPv4, subnetOf } from "./net";
import { compareMinor, findKnownCalico, KNOWN_CALICO, KnownCalico, knownCalicoMinor, parseVersion, Version } from "./versions";
import { sizeTypha, TyphaDecision, TyphaEnabled } from "./typha";
import { defaultWaveSize, planWaves } from "./waves";

export const CONFIG_NAMESPACE = "flannel-to-calico";

export type NetworkMode = "ipip" | "bgp" | "crossSubnet" | "vxlan";
export const NETWORK_MODES: readonly NetworkMode[] = ["ipip", "bgp", "crossSubnet", "vxlan"];

/** The raw config of one stack: the values under the `flannel-to-calico:` keys. Secret leaves are `Secret`s. */
export interface RawConfig {
    readonly cluster?: unknown;
    readonly network?: unknown;
    readonly ssh?: unknown;
    readonly nodes?: unknown;
    readonly calico?: unknown;
    readonly typha?: unknown;
    readonly rollout?: unknown;
}
export const CONFIG_KEYS: readonly (keyof RawConfig)[] = ["cluster", "network", "ssh", "nodes", "calico", "typha", "rollout"];

export interface LoadContext {
    /** The Pulumi stack name (shown in the plan; not part of resource names). */
    readonly stack: string;
    /** True for `pulumi preview` and the offline plan: node scripts will not run, so no SSH key is needed. */
    readonly dryRun: boolean;
}

export type Kubeconfig = { readonly kind: "path"; readonly path: string } | { readonly kind: "content"; readonly content: Secret };

export interface ClusterSettings {
    readonly name: string;
    readonly kubernetesVersion: Version;
    readonly podCidr: Cidr;
    readonly serviceCidr: Cidr;
    readonly nodeCidrs: readonly Cidr[];
    readonly kubeconfig: Kubeconfig;
    readonly context: string;
    readonly production: boolean;
}

export interface BgpPeer { readonly name: string; readonly peerIP: string; readonly asNumber: number; readonly nodeSelector?: string }
export interface BgpSettings { readonly asNumber: number; readonly nodeToNodeMesh: boolean; readonly peers: readonly BgpPeer[] }

export interface NetworkSettings {
    readonly mode: NetworkMode;
    readonly mtu?: number;
    readonly ipAutodetectionMethod?: string;
    readonly blockSize: number;
    readonly natOutgoing: boolean;
    readonly poolNodeSelector: string;
    /** Always present for the bird-based modes (defaults filled in); absent for vxlan. */
    readonly bgp?: BgpSettings;
}

export interface Bastion { readonly host: string; readonly port: number; readonly user: string; readonly hostKey?: string; readonly privateKey?: Secret }

export interface SshSettings {
    readonly user: string;
    readonly port: number;
    readonly privateKey?: Secret;
    readonly insecureIgnoreHostKeys: boolean;
    readonly bastion?: Bastion;
    readonly dialErrorLimit: number;
    readonly perDialTimeout: number;
}

export interface NodeSettings {
    readonly name: string;
    readonly address: string;
    readonly port: number;
    readonly user: string;
    readonly hostKey?: string;
    /** Position in the stack's node list (waves follow it). */
    readonly index: number;
}

export type ManifestSource =
    | { readonly kind: "known"; readonly known: KnownCalico }
    | { readonly kind: "url"; readonly url: string; readonly sha256: string }
    | { readonly kind: "path"; readonly path: string; readonly sha256?: string };

export interface CalicoSettings {
    readonly version: Version;
    /** "v3.8.9" */
    readonly versionText: string;
    readonly manifest: ManifestSource;
    readonly imageRegistry?: string;
    readonly adopt: boolean;
}

export interface RolloutSettings {
    readonly waveSize: number;
    readonly recheck: string;
    /** Node names, wave by wave. */
    readonly waves: readonly (readonly string[])[];
}

export interface Settings {
    readonly stack: string;
    readonly cluster: ClusterSettings;
    readonly network: NetworkSettings;
    readonly ssh: SshSettings;
    readonly nodes: readonly NodeSettings[];
    readonly calico: CalicoSettings;
    readonly typha: TyphaDecision;
    readonly rollout: RolloutSettings;
    /** Things a reviewer should know that do not stop the program. */
    readonly warnings: readonly string[];
}

export type LoadResult =
    | { readonly ok: true; readonly settings: Settings }
    | { readonly ok: false; readonly problems: readonly string[]; readonly warnings: readonly string[] };

/** Thrown by `requireSettings`: every problem, one per line. */
export class SettingsError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`the stack config has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "SettingsError";
    }
}

export function requireSettings(raw: RawConfig, ctx: LoadContext): Settings {
    const r = loadSettings(raw, ctx);
    if (!r.ok) throw new SettingsError(r.problems);
    return r.settings;
}

// ---------------------------------------------------------------------------
// A small reader that collects problems instead of throwing at the first.

const key = (path: string) => `${CONFIG_NAMESPACE}:${path}`;

/** Shows a config value in a message; secrets and long values are not echoed. */
function show(v: unknown): string {
    if (Secret.is(v)) return Secret.placeholder;
    if (v === undefined) return "missing";
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

class Reader {
    readonly problems: string[] = [];
    readonly warnings: string[] = [];
    problem(path: string, value: unknown, fix: string): void {
        this.problems.push(`${key(path)} is ${show(value)}: ${fix}`);
    }
    object(path: string, v: unknown, required: boolean): Record<string, unknown> | undefined {
        if (v === undefined || v === null) {
            if (required) this.problem(path, undefined, `it is required; set it in Pulumi.<stack>.yaml (see README, "Config reference")`);
            return undefined;
        }
        if (typeof v !== "object" || Array.isArray(v) || Secret.is(v)) {
            this.problem(path, v, "expected an object of keys");
            return undefined;
        }
        return v as Record<string, unknown>;
    }
    unknownKeys(path: string, o: Record<string, unknown> | undefined, allowed: readonly string[]): void {
        if (!o) return;
        for (const k of Object.keys(o)) {
            if (!allowed.includes(k)) this.problem(`${path}.${k}`, o[k], `unknown key; the keys of ${key(path)} are ${allowed.join(", ")}`);
        }
    }
    string(path: string, v: unknown, opts: { required?: boolean; def?: string } = {}): string | undefined {
        if (v === undefined || v === null || v === "") {
            if (opts.required) this.problem(path, v, "it is required");
            return opts.def;
        }
        if (Secret.is(v)) { this.problem(path, v, "this key is not a secret; set it without --secret"); return opts.def; }
        if (typeof v !== "string") { this.problem(path, v, "expected a string"); return opts.def; }
        return v;
    }
    bool(path: string, v: unknown, def: boolean): boolean {
        if (v === undefined || v === null) return def;
        if (typeof v === "boolean") return v;
        if (v === "true" || v === "false") return v === "true";
        this.problem(path, v, "expected true or false");
        return def;
    }
    int(path: string, v: unknown, opts: { def?: number; min?: number; max?: number; required?: boolean; fix?: string } = {}): number | undefined {
        if (v === undefined || v === null || v === "") {
            if (opts.required) this.problem(path, v, "it is required");
            return opts.def;
        }
        const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
        const range = `${opts.min ?? "-inf"}..${opts.max ?? "inf"}`;
        if (typeof n !== "number" || !Number.isInteger(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
            this.problem(path, v, opts.fix ?? `expected a whole number in ${range}`);
            return opts.def;
        }
        return n;
    }
    /** A key that must be set with --secret. */
    secret(path: string, v: unknown, what: string): Secret | undefined {
        if (v === undefined || v === null || v === "") return undefined;
        if (Secret.is(v)) return v;
        // Never echo the value: it is a key or credential committed in plain text.
        this.problems.push(`${key(path)} holds ${what} in plain text: it would be committed with the stack file. Remove it and set it as a secret: pulumi config set --path --secret ${key(path)} < FILE`);
        return undefined;
    }
}

// ---------------------------------------------------------------------------

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;
const AUTODETECT = /^(first-found|kubernetes-internal-ip|can-reach=.+|interface=.+|skip-interface=.+|cidr=.+)$/;
const REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9._-]+)*$/i;
const SHA256 = /^[0-9a-f]{64}$/;

function addressProblem(addr: string): string | undefined {
    if (parseIPv4(addr) !== undefined || isIPv6(addr) || isHostname(addr)) return undefined;
    return "expected an IPv4 or IPv6 address or a DNS name";
}

export function loadSettings(raw: RawConfig, ctx: LoadContext): LoadResult {
    const r = new Reader();

    // ---- cluster
    const c = r.object("cluster", raw.cluster, true) ?? {};
    r.unknownKeys("cluster", c, ["name", "kubernetesVersion", "podCidr", "serviceCidr", "nodeCidrs", "kubeconfig", "context", "production"]);
    const name = r.string("cluster.name", c.name, { required: true }) ?? "";
    const kubernetesVersion = parseVersion(c.kubernetesVersion);
    if (!kubernetesVersion) {
        r.problem("cluster.kubernetesVersion", c.kubernetesVersion, `expected a Kubernetes version like "1.14.2" (quote it in YAML)`);
    }
    const cidrOf = (path: string, v: unknown, fix: string): Cidr | undefined => {
        if (v === undefined) { r.problem(path, v, `it is required: ${fix}`); return undefined; }
        const p = parseCidr(v);
        if (!p.ok) { r.problem(path, v, `${p.why} (${fix})`); return undefined; }
        return p.cidr;
    };
    const podCidr = cidrOf("cluster.podCidr", c.podCidr, "the cluster's pod network, the tutorial's CLUSTER_CIDR such as 172.30.0.0/16");
    const serviceCidr = cidrOf("cluster.serviceCidr", c.serviceCidr, "kube-apiserver's --service-cluster-ip-range such as 10.254.0.0/16");
    const nodeCidrs: Cidr[] = [];
    if (c.nodeCidrs !== undefined) {
        if (!Array.isArray(c.nodeCidrs)) r.problem("cluster.nodeCidrs", c.nodeCidrs, "expected a list of networks like [172.27.137.0/24]");
        else c.nodeCidrs.forEach((v, i) => { const x = cidrOf(`cluster.nodeCidrs[${i}]`, v, "a network the nodes' addresses are in"); if (x) nodeCidrs.push(x); });
    }
    if (podCidr && serviceCidr && cidrsOverlap(podCidr, serviceCidr)) {
        r.problem("cluster.serviceCidr", serviceCidr.text, `it overlaps cluster.podCidr ${podCidr.text}; pods and services need separate ranges: check both against kube-apiserver and kube-controller-manager flags`);
    }
    for (const [i, n] of nodeCidrs.entries()) {
        for (const [what, other] of [["cluster.podCidr", podCidr], ["cluster.serviceCidr", serviceCidr]] as const) {
            if (other && cidrsOverlap(n, other)) r.problem(`cluster.nodeCidrs[${i}]`, n.text, `it overlaps ${key(what)} ${other.text}; node addresses must not be in the pod or service range`);
        }
    }
    let kubeconfig: Kubeconfig = { kind: "path", path: "~/.kube/config" };
    if (Secret.is(c.kubeconfig)) {
        // A secret kubeconfig is content unless it is plainly a path (an encrypted
        // value the offline plan cannot read counts as content).
        const v = c.kubeconfig.reveal();
        kubeconfig = looksLikePath(v) ? { kind: "path", path: v } : { kind: "content", content: c.kubeconfig };
    } else if (c.kubeconfig !== undefined) {
        const v = r.string("cluster.kubeconfig", c.kubeconfig);
        if (v !== undefined) {
            if (looksLikeKubeconfigContent(v)) r.secret("cluster.kubeconfig", v, "a kubeconfig's content (credentials)");
            else kubeconfig = { kind: "path", path: v };
        }
    }
    const context = r.string("cluster.context", c.context, { required: false });
    if (!context) r.problem("cluster.context", c.context, "it is required: name the kubeconfig context of this cluster, so the stack never acts on whichever context is current (kubectl config get-contexts)");
    const production = r.bool("cluster.production", c.production, false);

    // ---- network
    const n = r.object("network", raw.network, false) ?? {};
    r.unknownKeys("network", n, ["mode", "mtu", "ipAutodetectionMethod", "blockSize", "natOutgoing", "poolNodeSelector", "bgp"]);
    let mode: NetworkMode = "ipip";
    if (n.mode !== undefined) {
        if (typeof n.mode === "string" && (NETWORK_MODES as readonly string[]).includes(n.mode)) mode = n.mode as NetworkMode;
        else r.problem("network.mode", n.mode, `expected one of ${NETWORK_MODES.join(", ")} (crossSubnet: IPIP only between subnets)`);
    }
    const mtu = r.int("network.mtu", n.mtu, { min: 576, max: 9000, fix: "expected the pod interface MTU, a whole number from 576 to 9000 (remove it to keep the manifest's default)" });
    let ipAutodetectionMethod = r.string("network.ipAutodetectionMethod", n.ipAutodetectionMethod);
    if (ipAutodetectionMethod !== undefined && !AUTODETECT.test(ipAutodetectionMethod)) {
        r.problem("network.ipAutodetectionMethod", ipAutodetectionMethod, "expected a Calico IP_AUTODETECTION_METHOD: first-found, kubernetes-internal-ip, can-reach=IP, interface=REGEX, skip-interface=REGEX or cidr=CIDR[,CIDR]");
        ipAutodetectionMethod = undefined;
    }
    const blockSize = r.int("network.blockSize", n.blockSize, { def: 26, min: 20, max: 32, fix: "expected the IPv4 block size per node, 20 to 32 (Calico's default is 26)" })!;
    if (podCidr && blockSize < podCidr.prefix) {
        r.problem("network.blockSize", blockSize, `a /${blockSize} block does not fit in cluster.podCidr ${podCidr.text}; use a block size of at least ${podCidr.prefix}`);
    }
    const natOutgoing = r.bool("network.natOutgoing", n.natOutgoing, true);
    const poolNodeSelector = r.string("network.poolNodeSelector", n.poolNodeSelector, { def: "all()" })!;
    let bgp: BgpSettings | undefined;
    const b = r.object("network.bgp", n.bgp, false);
    if (b && mode === "vxlan") {
        r.problem("network.bgp", b, "network.mode vxlan does not run BGP (calico_backend vxlan); remove network.bgp or choose ipip, bgp or crossSubnet");
    }
    if (mode !== "vxlan") {
        const bb = b ?? {};
        r.unknownKeys("network.bgp", b, ["asNumber", "nodeToNodeMesh", "peers"]);
        const asNumber = r.int("network.bgp.asNumber", bb.asNumber, { def: 64512, min: 1, max: 4294967295, fix: "expected an AS number from 1 to 4294967295 (64512 is Calico's default private AS)" })!;
        const nodeToNodeMesh = r.bool("network.bgp.nodeToNodeMesh", bb.nodeToNodeMesh, true);
        const peers: BgpPeer[] = [];
        if (bb.peers !== undefined && !Array.isArray(bb.peers)) r.problem("network.bgp.peers", bb.peers, "expected a list of { name, peerIP, asNumber, nodeSelector }");
        const peerNames = new Set<string>();
        if (Array.isArray(bb.peers)) bb.peers.forEach((p, i) => {
            const path = `network.bgp.peers[${i}]`;
            const po = r.object(path, p, true);
            if (!po) return;
            r.unknownKeys(path, po, ["name", "peerIP", "asNumber", "nodeSelector"]);
            const pname = r.string(`${path}.name`, po.name, { required: true });
            if (pname !== undefined && !DNS_LABEL.test(pname)) r.problem(`${path}.name`, pname, "expected a lower-case DNS label such as tor-a (it names the BGPPeer object)");
            else if (pname !== undefined && peerNames.has(pname)) r.problem(`${path}.name`, pname, "another peer has this name; peer names must be unique");
            if (pname) peerNames.add(pname);
            const peerIP = r.string(`${path}.peerIP`, po.peerIP, { required: true });
            if (peerIP !== undefined && parseIPv4(peerIP) === undefined && !isIPv6(peerIP)) r.problem(`${path}.peerIP`, peerIP, "expected the peer router's IP address");
            const pas = r.int(`${path}.asNumber`, po.asNumber, { required: true, min: 1, max: 4294967295, fix: "expected the peer's AS number, 1 to 4294967295" });
            const sel = r.string(`${path}.nodeSelector`, po.nodeSelector);
            if (pname && peerIP && pas !== undefined) peers.push({ name: pname, peerIP, asNumber: pas, ...(sel ? { nodeSelector: sel } : {}) });
        });
        if (!nodeToNodeMesh && peers.length === 0) {
            r.problem("network.bgp.nodeToNodeMesh", false, "with the node-to-node mesh off and no network.bgp.peers, no node learns any pod route; add peers or turn the mesh on");
        }
        bgp = { asNumber, nodeToNodeMesh, peers };
    }

    // ---- ssh
    const s = r.object("ssh", raw.ssh, false) ?? {};
    r.unknownKeys("ssh", s, ["user", "port", "privateKey", "insecureIgnoreHostKeys", "bastion", "dialErrorLimit", "perDialTimeout"]);
    const sshUser = r.string("ssh.user", s.user, { def: "root" })!;
    const sshPort = r.int("ssh.port", s.port, { def: 22, min: 1, max: 65535 })!;
    const privateKey = r.secret("ssh.privateKey", s.privateKey, "an SSH private key");
    const insecureIgnoreHostKeys = r.bool("ssh.insecureIgnoreHostKeys", s.insecureIgnoreHostKeys, false);
    const dialErrorLimit = r.int("ssh.dialErrorLimit", s.dialErrorLimit, { def: 10, min: 1, max: 1000 })!;
    const perDialTimeout = r.int("ssh.perDialTimeout", s.perDialTimeout, { def: 15, min: 1, max: 600, fix: "expected seconds per SSH dial attempt, 1 to 600" })!;
    if (!ctx.dryRun && !privateKey && s.privateKey === undefined) {
        r.problem("ssh.privateKey", undefined, "pulumi up runs the node scripts over SSH and needs a key: pulumi config set --path --secret flannel-to-calico:ssh.privateKey < ~/.ssh/id_ed25519");
    }
    let bastion: Bastion | undefined;
    const bo = r.object("ssh.bastion", s.bastion, false);
    if (bo) {
        r.unknownKeys("ssh.bastion", bo, ["host", "port", "user", "hostKey", "privateKey"]);
        const host = r.string("ssh.bastion.host", bo.host, { required: true });
        if (host !== undefined && addressProblem(host)) r.problem("ssh.bastion.host", host, addressProblem(host)!);
        const port = r.int("ssh.bastion.port", bo.port, { def: 22, min: 1, max: 65535 })!;
        const user = r.string("ssh.bastion.user", bo.user, { def: sshUser })!;
        const hostKey = r.string("ssh.bastion.hostKey", bo.hostKey);
        if (hostKey !== undefined && !HOST_KEY.test(hostKey)) r.problem("ssh.bastion.hostKey", hostKey, `expected a public host key line such as "ssh-ed25519 AAAA..." (ssh-keyscan -t ed25519 HOST)`);
        if (hostKey === undefined && !insecureIgnoreHostKeys) r.problem("ssh.bastion.hostKey", undefined, `pin the bastion's host key ("ssh-ed25519 AAAA...", from ssh-keyscan on a trusted network) or set ssh.insecureIgnoreHostKeys: true`);
        const bkey = r.secret("ssh.bastion.privateKey", bo.privateKey, "an SSH private key");
        if (host) bastion = { host, port, user, ...(hostKey ? { hostKey } : {}), ...(bkey ? { privateKey: bkey } : {}) };
    }

    // ---- nodes
    const nodes: NodeSettings[] = [];
    if (raw.nodes === undefined || (Array.isArray(raw.nodes) && raw.nodes.length === 0)) {
        r.problem("nodes", raw.nodes, "list every node of the cluster: - { name: k8s01, address: 172.27.137.240, hostKey: \"ssh-ed25519 AAAA...\" }");
    } else if (!Array.isArray(raw.nodes)) {
        r.problem("nodes", raw.nodes, "expected a list of { name, address, hostKey, port?, user? }");
    } else {
        const names = new Map<string, number>();
        const addrs = new Map<string, number>();
        raw.nodes.forEach((v, i) => {
            const path = `nodes[${i}]`;
            const o = r.object(path, v, true);
            if (!o) return;
            r.unknownKeys(path, o, ["name", "address", "hostKey", "port", "user"]);
            const nname = r.string(`${path}.name`, o.name, { required: true });
            if (nname !== undefined && !NODE_NAME.test(nname)) {
                r.problem(`${path}.name`, nname, "expected the node's Kubernetes name: lower-case letters, digits, '-' and '.' (kubectl get nodes)");
            } else if (nname !== undefined) {
                if (names.has(nname)) r.problem(`${path}.name`, nname, `nodes[${names.get(nname)}] has the same name; each node must be listed once`);
                else names.set(nname, i);
            }
            const address = r.string(`${path}.address`, o.address, { required: true });
            const port = r.int(`${path}.port`, o.port, { def: sshPort, min: 1, max: 65535 })!;
            if (address !== undefined) {
                const ap = addressProblem(address);
                if (ap) r.problem(`${path}.address`, address, ap);
                const id = `${address.toLowerCase()}:${port}`;
                if (addrs.has(id)) r.problem(`${path}.address`, address, `nodes[${addrs.get(id)}] has the same address${port !== 22 ? ` and port ${port}` : ""}; each node must be listed once`);
                else addrs.set(id, i);
                const ip = parseIPv4(address);
                if (ip !== undefined) {
                    if (podCidr && cidrContains(podCidr, ip)) r.problem(`${path}.address`, address, `it is inside cluster.podCidr ${podCidr.text}; node addresses and the pod range must not overlap`);
                    if (serviceCidr && cidrContains(serviceCidr, ip)) r.problem(`${path}.address`, address, `it is inside cluster.serviceCidr ${serviceCidr.text}; node addresses and the service range must not overlap`);
                }
            }
            const user = r.string(`${path}.user`, o.user, { def: sshUser })!;
            const hostKey = r.string(`${path}.hostKey`, o.hostKey);
            if (hostKey !== undefined && !HOST_KEY.test(hostKey)) r.problem(`${path}.hostKey`, hostKey, `expected a public host key line such as "ssh-ed25519 AAAA..." (ssh-keyscan -t ed25519 ${address ?? "NODE"})`);
            if (hostKey === undefined && !insecureIgnoreHostKeys) {
                r.problem(`${path}.hostKey`, undefined, `pin ${nname ?? "the node"}'s SSH host key ("ssh-ed25519 AAAA...", from ssh-keyscan on a trusted network or the node's /etc/ssh/ssh_host_ed25519_key.pub), or set ssh.insecureIgnoreHostKeys: true to accept any key`);
            }
            if (nname !== undefined && address !== undefined) nodes.push({ name: nname, address, port, user, ...(hostKey ? { hostKey } : {}), index: i });
        });
    }
    if (insecureIgnoreHostKeys) r.warnings.push(`${key("ssh.insecureIgnoreHostKeys")} is true: node host keys are not checked, so a host that answers in a node's place gets the node scripts and the SSH session`);

    // ---- calico
    const k = r.object("calico", raw.calico, true) ?? {};
    r.unknownKeys("calico", k, ["version", "manifest", "imageRegistry", "adopt"]);
    const knownList = KNOWN_CALICO.map((x) => x.version).join(", ");
    const calicoVersionText = r.string("calico.version", k.version);
    let calicoVersion = calicoVersionText ? parseVersion(calicoVersionText) : undefined;
    if (calicoVersionText === undefined) r.problem("calico.version", undefined, `it is required: one of ${knownList}, or the version of the manifest in calico.manifest`);
    else if (!calicoVersion || !/^v\d+\.\d+\.\d+$/.test(calicoVersionText)) {
        r.problem("calico.version", calicoVersionText, `expected a full Calico version like v3.26.5 (known: ${knownList})`);
        calicoVersion = undefined;
    }
    let manifest: ManifestSource | undefined;
    const mo = r.object("calico.manifest", k.manifest, false);
    if (mo) {
        r.unknownKeys("calico.manifest", mo, ["url", "path", "sha256"]);
        const url = r.string("calico.manifest.url", mo.url);
        const path = r.string("calico.manifest.path", mo.path);
        const sha = r.string("calico.manifest.sha256", mo.sha256);
        if (sha !== undefined && !SHA256.test(sha)) r.problem("calico.manifest.sha256", sha, "expected 64 lower-case hex digits (sha256sum calico.yaml)");
        if (url && path) r.problem("calico.manifest", mo, "set either url or path, not both");
        else if (url) {
            if (!/^https:\/\//.test(url)) r.problem("calico.manifest.url", url, "expected an https:// URL");
            if (sha === undefined) r.problem("calico.manifest.sha256", undefined, "a downloaded manifest must be pinned: set the sha256 of the file you reviewed (sha256sum calico.yaml)");
            else if (SHA256.test(sha)) manifest = { kind: "url", url, sha256: sha };
        } else if (path) {
            manifest = { kind: "path", path, ...(sha && SHA256.test(sha) ? { sha256: sha } : {}) };
        } else r.problem("calico.manifest", mo, "set url (with sha256) or path");
    } else if (calicoVersionText && calicoVersion) {
        const known = findKnownCalico(calicoVersionText);
        if (known) manifest = { kind: "known", known };
        else r.problem("calico.version", calicoVersionText, `no manifest is pinned for this version (known: ${knownList}); choose one of those, or set calico.manifest { url, sha256 } or { path } with the manifest of ${calicoVersionText}`);
    }
    const imageRegistry = r.string("calico.imageRegistry", k.imageRegistry);
    if (imageRegistry !== undefined && !REGISTRY.test(imageRegistry)) r.problem("calico.imageRegistry", imageRegistry, "expected a registry host with an optional port and path, such as registry.example.com:5000/mirror (no scheme, no trailing slash)");
    const adopt = r.bool("calico.adopt", k.adopt, false);
    if (adopt && kubernetesVersion && compareMinor(kubernetesVersion, { major: 1, minor: 22 }) < 0) {
        r.problem("calico.adopt", true, `adopting needs server-side apply, which this program turns on from Kubernetes 1.22 (the cluster is ${kubernetesVersion.text}); set calico.adopt: false and bring the existing objects under Pulumi with pulumi import, or delete them inside the maintenance window`);
    }

    // Calico vs Kubernetes: what the manifest's API versions can run on.
    if (calicoVersion && kubernetesVersion) {
        const known = knownCalicoMinor(calicoVersion);
        if (known) {
            const kv = kubernetesVersion;
            const { min, max, why } = known.kubernetes;
            if (max && compareMinor(kv, parseVersion(max)!) > 0) {
                r.problem("calico.version", calicoVersionText, `Calico ${calicoVersionText} cannot run on Kubernetes ${kv.text}: ${why}. Use v3.26.5 or later for Kubernetes ${kv.major}.${kv.minor} (and check cluster.kubernetesVersion)`);
            } else if (min && compareMinor(kv, parseVersion(min)!) < 0) {
                r.problem("calico.version", calicoVersionText, `Calico ${calicoVersionText} cannot run on Kubernetes ${kv.text}: ${why}. Use v3.8.9 for Kubernetes ${kv.major}.${kv.minor}, or upgrade Kubernetes first`);
            } else if (compareMinor(kv, parseVersion(known.tested.min)!) < 0 || compareMinor(kv, parseVersion(known.tested.max)!) > 0) {
                r.warnings.push(`Kubernetes ${kv.text} is outside the range Calico ${known.dir} was tested with (${known.tested.min}-${known.tested.max}); it can work, but test it on a staging cluster first`);
            }
        }
    }

    // ---- typha
    const t = r.object("typha", raw.typha, false) ?? {};
    r.unknownKeys("typha", t, ["enabled", "nodeCount", "replicas"]);
    let enabled: TyphaEnabled = "auto";
    if (t.enabled !== undefined) {
        if (t.enabled === "auto" || typeof t.enabled === "boolean") enabled = t.enabled;
        else if (t.enabled === "true" || t.enabled === "false") enabled = t.enabled === "true";
        else r.problem("typha.enabled", t.enabled, "expected auto, true or false");
    }
    const typhaNodeCount = r.int("typha.nodeCount", t.nodeCount, { min: 1, fix: "expected the number of nodes in the whole cluster, a whole number of at least 1" });
    if (typhaNodeCount !== undefined && typhaNodeCount < nodes.length) {
        r.problem("typha.nodeCount", typhaNodeCount, `the stack lists ${nodes.length} nodes; typha.nodeCount counts the whole cluster, so it cannot be smaller (remove it to use the node list)`);
    }
    const replicasRaw = t.replicas === undefined ? undefined : typeof t.replicas === "string" && /^\d+$/.test(t.replicas) ? Number(t.replicas) : t.replicas;
    const sized = sizeTypha({
        nodeCount: Math.max(typhaNodeCount ?? 0, nodes.length),
        enabled,
        ...(replicasRaw !== undefined ? { replicas: replicasRaw as number } : {}),
        production,
    });
    if (nodes.length > 0) for (const p of sized.problems) r.problems.push(`${CONFIG_NAMESPACE}:${p}`);

    // ---- rollout
    const ro = r.object("rollout", raw.rollout, false) ?? {};
    r.unknownKeys("rollout", ro, ["waveSize", "recheck"]);
    const waveSize = r.int("rollout.waveSize", ro.waveSize, { def: defaultWaveSize(nodes.length), min: 1, fix: "expected how many nodes are prepared at once, a whole number of at least 1" })!;
    const recheck = ro.recheck === undefined || ro.recheck === null ? "" : String(ro.recheck);

    // ---- warnings that need several sections
    if (bgp && bgp.nodeToNodeMesh && sized.decision.nodeCount > 100) {
        r.warnings.push(`the BGP node-to-node mesh is on with ${sized.decision.nodeCount} nodes: a full mesh above 100 nodes costs n² sessions; use route reflectors (network.bgp.nodeToNodeMesh: false with peers)`);
    }
    if (mode === "bgp" && nodes.length > 1) {
        const subnets = nodeSubnets(nodes, nodeCidrs);
        if (subnets.size > 1) {
            r.warnings.push(`network.mode is bgp but the node addresses are in ${subnets.size} different subnets (${[...subnets].slice(0, 4).join(", ")}${subnets.size > 4 ? ", ..." : ""}${nodeCidrs.length ? "" : ", judged by /24"}): pure BGP needs routers that carry pod routes between subnets; crossSubnet encapsulates only across subnets`);
        }
    }
    if (kubernetesVersion && kubernetesVersion.major === 1 && kubernetesVersion.minor >= 24) {
        // Not a problem: preparation configures cri-dockerd instead of kubelet. Said here so the plan shows it.
        r.warnings.push(`Kubernetes ${kubernetesVersion.text} has no dockershim and no kubelet --network-plugin flag: the kubelet step leaves kubelet's flags alone and sets cri-dockerd's --network-plugin=cni where cri-dockerd runs`);
    }

    if (r.problems.length > 0) return { ok: false, problems: r.problems, warnings: r.warnings };
    const waves = planWaves(nodes.map((x) => x.name), waveSize);
    return {
        ok: true,
        settings: {
            stack: ctx.stack,
            cluster: { name, kubernetesVersion: kubernetesVersion!, podCidr: podCidr!, serviceCidr: serviceCidr!, nodeCidrs, kubeconfig, context: context!, production },
            network: { mode, ...(mtu !== undefined ? { mtu } : {}), ...(ipAutodetectionMethod ? { ipAutodetectionMethod } : {}), blockSize, natOutgoing, poolNodeSelector, ...(bgp ? { bgp } : {}) },
            ssh: { user: sshUser, port: sshPort, ...(privateKey ? { privateKey } : {}), insecureIgnoreHostKeys, ...(bastion ? { bastion } : {}), dialErrorLimit, perDialTimeout },
            nodes,
            calico: { version: calicoVersion!, versionText: calicoVersionText!, manifest: manifest!, ...(imageRegistry ? { imageRegistry } : {}), adopt },
            typha: sized.decision,
            rollout: { waveSize, recheck, waves },
            warnings: r.warnings,
        },
    };
}

function looksLikePath(v: string): boolean {
    return !v.includes("\n") && /^(~|\.{0,2}\/)/.test(v.trim());
}

/** A kubeconfig given inline rather than as a path. */
export function looksLikeKubeconfigContent(v: string): boolean {
    return v.includes("\n") || /^\s*(apiVersion|kind|clusters|current-context)\s*:/.test(v) || v.trim().startsWith("{");
}

function nodeSubnets(nodes: readonly NodeSettings[], nodeCidrs: readonly Cidr[]): Set<string> {
    const out = new Set<string>();
    for (const n of nodes) {
        const ip = parseIPv4(n.address);
        if (ip === undefined) continue;
        const inCidr = nodeCidrs.find((c) => cidrContains(c, ip));
        if (inCidr) out.add(inCidr.text);
        else { const base = subnetOf(ip, 24); out.add(`${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, 0].join(".")}/24`); }
    }
    return out;
}
