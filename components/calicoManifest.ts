/**
 * The Calico manifest as data: parsing, the patches this program makes (each
 * fails loudly when its target is missing), the managed IPPool and BGP
 * resources, and the facts other parts need (images, CNI host paths, API
 * versions). Pure functions, no Pulumi.
 */
import * as yaml from "js-yaml";
import { NetworkMode, NetworkSettings } from "../stacks/settings";
import { TyphaDecision } from "../stacks/typha";
import { API_VERSION_GATES, compareMinor, parseVersion, Version } from "../stacks/versions";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; [k: string]: unknown };
    [k: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const CALICO_NAMESPACE = "kube-system";
export const IPPOOL_NAME = "default-ipv4-ippool";

export function objectId(o: Pick<K8sObject, "kind" | "metadata">): string {
    return `${o.kind}/${o.metadata.namespace ?? "cluster"}/${o.metadata.name}`;
}

/** The Pulumi resource name of an object: stable across versions and manifest variants. */
export function resourceName(o: Pick<K8sObject, "kind" | "metadata">): string {
    return `${o.kind.toLowerCase()}-${o.metadata.namespace ?? "cluster"}-${o.metadata.name}`;
}

/** Parses a multi-document manifest; empty documents are dropped; the objects Calico needs must be there. */
export function parseManifest(text: string, what: string): K8sObject[] {
    let docs: unknown[];
    try { docs = yaml.loadAll(text); } catch (e) { throw new Error(`${what} is not valid YAML: ${(e as Error).message.split("\n")[0]}`); }
    const objs = docs.filter((d): d is K8sObject => d !== null && d !== undefined && typeof d === "object");
    for (const o of objs) {
        if (!o.apiVersion || !o.kind || !o.metadata?.name) throw new Error(`${what} has a document without apiVersion, kind or metadata.name`);
    }
    const missing: string[] = [];
    if (!objs.some((o) => o.kind === "ConfigMap" && o.metadata.name === "calico-config")) missing.push("ConfigMap calico-config");
    if (!objs.some((o) => o.kind === "DaemonSet" && o.metadata.name === "calico-node")) missing.push("DaemonSet calico-node");
    if (!objs.some((o) => o.kind === "Deployment" && o.metadata.name === "calico-kube-controllers")) missing.push("Deployment calico-kube-controllers");
    for (const crd of ["ippools.crd.projectcalico.org", "bgpconfigurations.crd.projectcalico.org", "bgppeers.crd.projectcalico.org"]) {
        if (!objs.some((o) => o.kind === "CustomResourceDefinition" && o.metadata.name === crd)) missing.push(`CustomResourceDefinition ${crd}`);
    }
    if (missing.length) throw new Error(`${what} is not a Calico manifest with the Kubernetes API datastore: it lacks ${missing.join(", ")}`);
    return objs;
}

function find(objs: K8sObject[], kind: string, name: string): K8sObject {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`the Calico manifest has no ${kind} ${name}: this program cannot patch it (is it a Calico manifest with the Kubernetes API datastore?)`);
    return o;
}

function container(o: K8sObject, name: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = o.spec?.template?.spec?.containers?.find((x: { name: string }) => x.name === name);
    if (!c) throw new Error(`the Calico manifest's ${o.kind} ${o.metadata.name} has no container ${name}`);
    return c;
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown };
function setEnv(c: { env?: EnvVar[] }, name: string, value: string): void {
    c.env = c.env ?? [];
    const e = c.env.find((x) => x.name === name);
    if (e) { delete e.valueFrom; e.value = value; } else c.env.push({ name, value });
}

/** Typha objects: owned by the Typha component. */
export function isTyphaObject(o: K8sObject): boolean {
    return o.metadata.name === "calico-typha" && ["Service", "Deployment", "PodDisruptionBudget", "ServiceAccount"].includes(o.kind);
}

/** Replaces the registry of an image reference: docker.io/calico/node:v3 -> mirror/calico/node:v3. */
export function mirrorImage(image: string, registry: string): string {
    const parts = image.split("/");
    const first = parts[0];
    const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    return `${registry}/${(hasRegistry ? parts.slice(1) : parts).join("/")}`;
}

function podSpecs(objs: K8sObject[]): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return objs.map((o) => o.spec?.template?.spec).filter(Boolean);
}

/** Every image the objects' pods run, in manifest order, without duplicates. */
export function manifestImages(objs: K8sObject[]): string[] {
    const out: string[] = [];
    for (const ps of podSpecs(objs)) for (const c of [...(ps.initContainers ?? []), ...(ps.containers ?? [])]) if (c.image && !out.includes(c.image)) out.push(c.image);
    return out;
}

/** install-cni's host paths, which kubelet must agree with. */
export function cniHostPaths(objs: K8sObject[]): { binDir: string; netDir: string } {
    const ds = find(objs, "DaemonSet", "calico-node");
    const vols: { name: string; hostPath?: { path: string } }[] = ds.spec.template.spec.volumes ?? [];
    const bin = vols.find((v) => v.name === "cni-bin-dir")?.hostPath?.path;
    const net = vols.find((v) => v.name === "cni-net-dir")?.hostPath?.path;
    if (!bin || !net) throw new Error("the Calico manifest's calico-node has no cni-bin-dir / cni-net-dir host paths");
    return { binDir: bin, netDir: net };
}

/** Problems when the manifest uses API versions the cluster's Kubernetes does not serve. */
export function apiVersionProblems(objs: K8sObject[], k8s: Version, what: string): string[] {
    const out: string[] = [];
    const used = [...new Set(objs.map((o) => o.apiVersion))];
    for (const api of used) {
        const g = API_VERSION_GATES[api];
        if (!g) continue;
        if (g.max && compareMinor(k8s, parseVersion(g.max)!) > 0) out.push(`${what} uses ${api}, which Kubernetes ${k8s.text} no longer serves (last in ${g.max}); check calico.version and cluster.kubernetesVersion`);
        if (g.min && compareMinor(k8s, parseVersion(g.min)!) < 0) out.push(`${what} uses ${api}, which Kubernetes ${k8s.text} does not serve yet (from ${g.min}); check calico.version and cluster.kubernetesVersion`);
    }
    return out;
}

export interface PatchInput {
    readonly network: NetworkSettings;
    readonly imageRegistry?: string;
    readonly typha: TyphaDecision;
    /** Nodes calico-node rolls across; its await timeout grows with it. */
    readonly nodeCount: number;
}

/** Node-count buckets for calico-node's timeout, so appending a node rarely changes it. */
const TIMEOUT_BUCKETS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * Seconds Pulumi waits for calico-node's rollout: it replaces one node at a
 * time, so a minute per node (rounded up to a bucket) plus ten minutes.
 */
export function calicoNodeTimeoutSeconds(nodeCount: number): number {
    const bucket = TIMEOUT_BUCKETS.find((b) => nodeCount <= b) ?? Math.ceil(nodeCount / 10000) * 10000;
    return 600 + 60 * bucket;
}

export function backendFor(mode: NetworkMode): "bird" | "vxlan" {
    return mode === "vxlan" ? "vxlan" : "bird";
}

/**
 * Applies this program's patches to a deep copy of the manifest's objects.
 * Returns the objects and warnings for the plan.
 */
export function patchCalico(input: readonly K8sObject[], p: PatchInput): { objects: K8sObject[]; warnings: string[] } {
    const objs = JSON.parse(JSON.stringify(input)) as K8sObject[];
    const warnings: string[] = [];
    const cm = find(objs, "ConfigMap", "calico-config");
    cm.data = cm.data ?? {};
    for (const k of ["veth_mtu", "calico_backend", "typha_service_name"]) {
        if (!(k in cm.data)) throw new Error(`the Calico manifest's calico-config has no ${k}`);
    }
    if (p.network.mtu !== undefined) cm.data.veth_mtu = String(p.network.mtu);
    const overhead = p.network.mode === "vxlan" ? 50 : p.network.mode === "bgp" ? 0 : 20;
    if (p.network.mtu !== undefined && overhead > 0 && p.network.mtu > 1500 - overhead) {
        warnings.push(`network.mtu ${p.network.mtu} leaves no room for the ${overhead}-byte ${p.network.mode === "vxlan" ? "VXLAN" : "IPIP"} header on a 1500-byte uplink: use at most ${1500 - overhead}, unless the node network carries jumbo frames`);
    }
    cm.data.calico_backend = backendFor(p.network.mode);
    cm.data.typha_service_name = p.typha.enabled ? "calico-typha" : "none";

    const ds = find(objs, "DaemonSet", "calico-node");
    const node = container(ds, "calico-node");
    // The pool is a managed resource: calico-node must not create its own, and
    // CALICO_IPV4POOL_CIDR with NO_DEFAULT_POOLS stops calico-node from starting.
    node.env = (node.env as EnvVar[]).filter((e) => !e.name.startsWith("CALICO_IPV4POOL_"));
    setEnv(node, "NO_DEFAULT_POOLS", "true");
    if (p.network.ipAutodetectionMethod) setEnv(node, "IP_AUTODETECTION_METHOD", p.network.ipAutodetectionMethod);
    const typhaEnv = (node.env as EnvVar[]).find((e) => e.name === "FELIX_TYPHAK8SSERVICENAME");
    if (p.typha.enabled && !typhaEnv) {
        (node.env as EnvVar[]).push({ name: "FELIX_TYPHAK8SSERVICENAME", valueFrom: { configMapKeyRef: { name: "calico-config", key: "typha_service_name" } } });
    }
    if (!p.typha.enabled && typhaEnv) node.env = (node.env as EnvVar[]).filter((e) => e.name !== "FELIX_TYPHAK8SSERVICENAME");
    if (p.network.mode === "vxlan") {
        // No BIRD in vxlan mode: its health checks would keep calico-node unready.
        for (const probe of [node.livenessProbe, node.readinessProbe]) {
            const cmd: string[] | undefined = probe?.exec?.command;
            if (cmd) probe.exec.command = cmd.filter((a) => a !== "-bird-live" && a !== "-bird-ready");
        }
    }
    ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), "pulumi.com/timeoutSeconds": String(calicoNodeTimeoutSeconds(p.nodeCount)) };

    const kc = find(objs, "Deployment", "calico-kube-controllers");
    kc.spec.replicas = 1;

    if (p.imageRegistry) {
        for (const ps of podSpecs(objs)) for (const c of [...(ps.initContainers ?? []), ...(ps.containers ?? [])]) if (c.image) c.image = mirrorImage(c.image, p.imageRegistry);
    }
    return { objects: objs, warnings };
}

/** Sets Typha's replicas on Deployment calico-typha only. */
export function patchTypha(input: readonly K8sObject[], typha: TyphaDecision, imageRegistry?: string): K8sObject[] {
    const objs = JSON.parse(JSON.stringify(input)) as K8sObject[];
    const d = find(objs, "Deployment", "calico-typha");
    d.spec.replicas = typha.replicas;
    if (imageRegistry) for (const ps of podSpecs(objs)) for (const c of [...(ps.initContainers ?? []), ...(ps.containers ?? [])]) if (c.image) c.image = mirrorImage(c.image, imageRegistry);
    return objs;
}

const CALICO_API = "crd.projectcalico.org/v1";

export function poolModes(mode: NetworkMode): { ipipMode: string; vxlanMode: string } {
    switch (mode) {
        case "ipip": return { ipipMode: "Always", vxlanMode: "Never" };
        case "bgp": return { ipipMode: "Never", vxlanMode: "Never" };
        case "crossSubnet": return { ipipMode: "CrossSubnet", vxlanMode: "Never" };
        case "vxlan": return { ipipMode: "Never", vxlanMode: "Always" };
    }
}

/** The cluster's IPv4 pool, every field explicit. */
export function ipPool(podCidr: string, n: NetworkSettings): K8sObject {
    return {
        apiVersion: CALICO_API, kind: "IPPool", metadata: { name: IPPOOL_NAME },
        spec: { cidr: podCidr, blockSize: n.blockSize, ...poolModes(n.mode), natOutgoing: n.natOutgoing, nodeSelector: n.poolNodeSelector },
    };
}

/** BGPConfiguration "default" and one BGPPeer per configured peer (BIRD modes only). */
export function bgpObjects(n: NetworkSettings): K8sObject[] {
    if (!n.bgp) return [];
    return [
        { apiVersion: CALICO_API, kind: "BGPConfiguration", metadata: { name: "default" }, spec: { asNumber: n.bgp.asNumber, nodeToNodeMeshEnabled: n.bgp.nodeToNodeMesh, logSeverityScreen: "Info" } },
        ...n.bgp.peers.map((p) => ({
            apiVersion: CALICO_API, kind: "BGPPeer", metadata: { name: p.name },
            spec: { peerIP: p.peerIP, asNumber: p.asNumber, ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}) },
        })),
    ];
}

/** Objects whose loss takes the cluster's network down or loses IPAM data. */
export function isProtected(o: Pick<K8sObject, "kind" | "metadata">): boolean {
    return o.kind === "CustomResourceDefinition" || o.kind === "IPPool"
        || (o.kind === "ConfigMap" && o.metadata.name === "calico-config")
        || (o.kind === "DaemonSet" && o.metadata.name === "calico-node");
}
