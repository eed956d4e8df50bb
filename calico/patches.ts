/**
 * The patches this program makes to the upstream manifest, on a deep copy.
 * Each fails loudly when its target is missing. Pure functions, no Pulumi.
 */
import { NetworkMode, NetworkSettings } from "../settings/types";
import { TyphaDecision } from "../settings/typha";
import { calicoParts, CalicoParts, containersOf, K8sObject, typhaParts } from "./manifest";

export interface PatchInput {
    readonly network: NetworkSettings;
    readonly imageRegistry?: string;
    readonly typha: TyphaDecision;
    /** Nodes calico-node rolls across; its await timeout grows with it. */
    readonly nodeCount: number;
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Container = { name: string; env?: EnvVar[]; [k: string]: any };

function container(o: K8sObject, name: string): Container {
    const c = o.spec?.template?.spec?.containers?.find((x: { name: string }) => x.name === name);
    if (!c) throw new Error(`the Calico manifest's ${o.kind} ${o.metadata.name} has no container ${name}`);
    return c;
}

function setEnv(c: Container, name: string, value: string): void {
    c.env = c.env ?? [];
    const e = c.env.find((x) => x.name === name);
    if (e) {
        delete e.valueFrom;
        e.value = value;
    } else {
        c.env.push({ name, value });
    }
}

const deepCopy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Replaces the registry of an image reference: docker.io/calico/node:v3 -> mirror/calico/node:v3. */
export function mirrorImage(image: string, registry: string): string {
    const parts = image.split("/");
    const first = parts[0];
    const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    return `${registry}/${(hasRegistry ? parts.slice(1) : parts).join("/")}`;
}

function mirrorAll(objs: readonly K8sObject[], registry?: string): void {
    if (!registry) return;
    for (const c of objs.flatMap(containersOf)) if (c.image) c.image = mirrorImage(c.image, registry);
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

function patchConfigMap(cm: K8sObject, p: PatchInput, warnings: string[]): void {
    cm.data = cm.data ?? {};
    for (const k of ["veth_mtu", "calico_backend", "typha_service_name"]) {
        if (!(k in cm.data)) throw new Error(`the Calico manifest's calico-config has no ${k}`);
    }
    const { mtu, mode } = p.network;
    if (mtu !== undefined) cm.data.veth_mtu = String(mtu);
    const overhead = mode === "vxlan" ? 50 : mode === "bgp" ? 0 : 20;
    if (mtu !== undefined && overhead > 0 && mtu > 1500 - overhead) {
        warnings.push(
            `network.mtu ${mtu} leaves no room for the ${overhead}-byte ${mode === "vxlan" ? "VXLAN" : "IPIP"} header ` +
                `on a 1500-byte uplink: use at most ${1500 - overhead}, unless the node network carries jumbo frames`,
        );
    }
    cm.data.calico_backend = backendFor(mode);
    cm.data.typha_service_name = p.typha.enabled ? "calico-typha" : "none";
}

function patchCalicoNode(ds: K8sObject, p: PatchInput): void {
    const node = container(ds, "calico-node");
    // The pool is a managed resource: calico-node must not create its own, and
    // CALICO_IPV4POOL_CIDR with NO_DEFAULT_POOLS stops calico-node from starting.
    node.env = (node.env ?? []).filter((e) => !e.name.startsWith("CALICO_IPV4POOL_"));
    setEnv(node, "NO_DEFAULT_POOLS", "true");
    if (p.network.ipAutodetectionMethod) setEnv(node, "IP_AUTODETECTION_METHOD", p.network.ipAutodetectionMethod);
    const typhaEnv = node.env.find((e) => e.name === "FELIX_TYPHAK8SSERVICENAME");
    if (p.typha.enabled && !typhaEnv) {
        node.env.push({
            name: "FELIX_TYPHAK8SSERVICENAME",
            valueFrom: { configMapKeyRef: { name: "calico-config", key: "typha_service_name" } },
        });
    }
    if (!p.typha.enabled && typhaEnv) node.env = node.env.filter((e) => e.name !== "FELIX_TYPHAK8SSERVICENAME");
    if (p.network.mode === "vxlan") {
        // No BIRD in vxlan mode: its health checks would keep calico-node unready.
        for (const probe of [node.livenessProbe, node.readinessProbe]) {
            const cmd: string[] | undefined = probe?.exec?.command;
            if (cmd) probe.exec.command = cmd.filter((a) => a !== "-bird-live" && a !== "-bird-ready");
        }
    }
    ds.metadata.annotations = {
        ...(ds.metadata.annotations ?? {}),
        "pulumi.com/timeoutSeconds": String(calicoNodeTimeoutSeconds(p.nodeCount)),
    };
}

/**
 * Applies this program's patches to a deep copy of Calico's objects (Typha's
 * own left out). Returns the named parts and warnings for the plan.
 */
export function patchCalico(input: readonly K8sObject[], p: PatchInput): { parts: CalicoParts; warnings: string[] } {
    const parts = calicoParts(deepCopy(input));
    const warnings: string[] = [];
    patchConfigMap(parts.configMap, p, warnings);
    patchCalicoNode(parts.calicoNode, p);
    parts.kubeControllers.spec.replicas = 1;
    mirrorAll(parts.objects, p.imageRegistry);
    return { parts, warnings };
}

/** Typha's objects with replicas from the decision (Deployment calico-typha only) and the image mirror. */
export function patchTypha(input: readonly K8sObject[], typha: TyphaDecision, imageRegistry?: string): K8sObject[] {
    const parts = typhaParts(deepCopy(input));
    parts.deployment.spec.replicas = typha.replicas;
    mirrorAll(parts.objects, imageRegistry);
    return [...parts.objects];
}
