/**
 * The Calico manifest as data: parsing, its named parts, and the facts other
 * parts of the program need from it (images, CNI host paths, API versions).
 * Pure functions, no Pulumi.
 */
import * as yaml from "js-yaml";
import { API_VERSION_GATES, compareMinor, parseVersion, Version } from "./versions";

/** One Kubernetes object as parsed from YAML; `any` below the top is the YAML's own shape. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        annotations?: Record<string, string>;
        labels?: Record<string, string>;
        [k: string]: unknown;
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [k: string]: any;
}

/** Calico's manifest, Typha's own objects left out, with the parts this program treats specially named. */
export interface CalicoParts {
    /** Every object, in manifest order. */
    readonly objects: readonly K8sObject[];
    readonly crds: readonly K8sObject[];
    /** ConfigMap calico-config (also in `rest`, at its manifest position). */
    readonly configMap: K8sObject;
    /** DaemonSet calico-node. */
    readonly calicoNode: K8sObject;
    /** Deployment calico-kube-controllers. */
    readonly kubeControllers: K8sObject;
    /** Everything but the CRDs and the two workloads, in manifest order: RBAC, ServiceAccounts, config. */
    readonly rest: readonly K8sObject[];
}

/** Typha's own objects from the Typha variant. */
export interface TyphaParts {
    readonly objects: readonly K8sObject[];
    /** Deployment calico-typha. */
    readonly deployment: K8sObject;
}

export const CALICO_NAMESPACE = "kube-system";

const is = (o: K8sObject, kind: string, name: string) => o.kind === kind && o.metadata.name === name;

/** Typha objects: owned by the Typha component. */
export function isTyphaObject(o: K8sObject): boolean {
    return (
        o.metadata.name === "calico-typha" &&
        ["Service", "Deployment", "PodDisruptionBudget", "ServiceAccount"].includes(o.kind)
    );
}

function the(objs: readonly K8sObject[], kind: string, name: string, what: string): K8sObject {
    const o = objs.find((x) => is(x, kind, name));
    if (!o) {
        throw new Error(
            `${what} has no ${kind} ${name}: this program cannot use it (is it a Calico manifest with the Kubernetes API datastore?)`,
        );
    }
    return o;
}

/** Names Calico's parts (Typha's objects are left out: see `typhaParts`). Throws naming what is missing. */
export function calicoParts(all: readonly K8sObject[], what = "the Calico manifest"): CalicoParts {
    const objects = all.filter((o) => !isTyphaObject(o));
    const missing = [
        ["ConfigMap", "calico-config"],
        ["DaemonSet", "calico-node"],
        ["Deployment", "calico-kube-controllers"],
        ...["ippools", "bgpconfigurations", "bgppeers"].map((p) => [
            "CustomResourceDefinition",
            `${p}.crd.projectcalico.org`,
        ]),
    ].filter(([kind, name]) => !objects.some((o) => is(o, kind, name)));
    if (missing.length) {
        throw new Error(
            `${what} is not a Calico manifest with the Kubernetes API datastore: it lacks ${missing.map((m) => m.join(" ")).join(", ")}`,
        );
    }
    const calicoNode = the(objects, "DaemonSet", "calico-node", what);
    const kubeControllers = the(objects, "Deployment", "calico-kube-controllers", what);
    return {
        objects,
        crds: objects.filter((o) => o.kind === "CustomResourceDefinition"),
        configMap: the(objects, "ConfigMap", "calico-config", what),
        calicoNode,
        kubeControllers,
        rest: objects.filter((o) => o.kind !== "CustomResourceDefinition" && o !== calicoNode && o !== kubeControllers),
    };
}

/** Names Typha's parts in the Typha variant. */
export function typhaParts(all: readonly K8sObject[], what = "the Calico Typha manifest"): TyphaParts {
    const objects = all.filter(isTyphaObject);
    return { objects, deployment: the(objects, "Deployment", "calico-typha", what) };
}

/** Parses a multi-document manifest; empty documents are dropped; the objects Calico needs must be there. */
export function parseManifest(text: string, what: string): K8sObject[] {
    let docs: unknown[];
    try {
        docs = yaml.loadAll(text);
    } catch (e) {
        throw new Error(`${what} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    const objs = docs.filter((d): d is K8sObject => d !== null && d !== undefined && typeof d === "object");
    for (const o of objs) {
        if (!o.apiVersion || !o.kind || !o.metadata?.name)
            throw new Error(`${what} has a document without apiVersion, kind or metadata.name`);
    }
    calicoParts(objs, what);
    return objs;
}

/** Every container of a pod spec, init containers first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function containersOf(o: K8sObject): any[] {
    const ps = o.spec?.template?.spec;
    return ps ? [...(ps.initContainers ?? []), ...(ps.containers ?? [])] : [];
}

/** Every image the objects' pods run, in manifest order, without duplicates. */
export function manifestImages(objs: readonly K8sObject[]): string[] {
    const out: string[] = [];
    for (const c of objs.flatMap(containersOf)) if (c.image && !out.includes(c.image)) out.push(c.image);
    return out;
}

/** install-cni's host paths, which kubelet must agree with. */
export function cniHostPaths(calicoNode: K8sObject): { binDir: string; netDir: string } {
    const vols: { name: string; hostPath?: { path: string } }[] = calicoNode.spec.template.spec.volumes ?? [];
    const bin = vols.find((v) => v.name === "cni-bin-dir")?.hostPath?.path;
    const net = vols.find((v) => v.name === "cni-net-dir")?.hostPath?.path;
    if (!bin || !net) throw new Error("the Calico manifest's calico-node has no cni-bin-dir / cni-net-dir host paths");
    return { binDir: bin, netDir: net };
}

/** Problems when the manifest uses API versions the cluster's Kubernetes does not serve. */
export function apiVersionProblems(objs: readonly K8sObject[], k8s: Version, what: string): string[] {
    const out: string[] = [];
    for (const api of new Set(objs.map((o) => o.apiVersion))) {
        const g = API_VERSION_GATES[api];
        const max = g?.max ? parseVersion(g.max) : undefined;
        const min = g?.min ? parseVersion(g.min) : undefined;
        if (max && compareMinor(k8s, max) > 0) {
            out.push(
                `${what} uses ${api}, which Kubernetes ${k8s.text} no longer serves (last in ${g.max}); check calico.version and cluster.kubernetesVersion`,
            );
        }
        if (min && compareMinor(k8s, min) < 0) {
            out.push(
                `${what} uses ${api}, which Kubernetes ${k8s.text} does not serve yet (from ${g.min}); check calico.version and cluster.kubernetesVersion`,
            );
        }
    }
    return out;
}
