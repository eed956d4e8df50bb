/**
 * The patches this program makes to the upstream manifest, on a deep copy.
 * Each fails loudly when its target is missing. Pure functions, no Pulumi.
 */
import * as crypto from "crypto";
import { NetworkSettings } from "../settings/types";
import { TyphaDecision } from "../settings/typha";
import { encapOverhead } from "./autodetect";
import { calicoParts, CalicoParts, containersOf, K8sObject, typhaParts } from "./manifest";
import { backendFor } from "./modeSwitch";
import { untolerated } from "./ordering";
import { felixEncapsulationEnv, LATER_TYPHA_TOLERATIONS } from "./sideEffects";
import { Version } from "./versions";

export interface PatchInput {
    readonly network: NetworkSettings;
    readonly imageRegistry?: string;
    readonly typha: TyphaDecision;
    /** calico.version: which of Calico's side effects the program must do itself. */
    readonly version: Pick<Version, "major" | "minor">;
    /** rollout.calicoNodeMaxUnavailable: calico-node's updateStrategy. Default: the manifest's (1). */
    readonly maxUnavailable?: number;
}

/** The pod-template annotation that carries the hash of the calico-config data a workload reads. */
export const CONFIG_HASH_ANNOTATION = "flannel-to-calico/calico-config-sha256";

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

function patchConfigMap(cm: K8sObject, p: PatchInput, warnings: string[]): void {
    cm.data = cm.data ?? {};
    for (const k of ["veth_mtu", "calico_backend", "typha_service_name"]) {
        if (!(k in cm.data)) throw new Error(`the Calico manifest's calico-config has no ${k}`);
    }
    const { mtu, mode } = p.network;
    if (mtu !== undefined) cm.data.veth_mtu = String(mtu);
    const overhead = encapOverhead(p.network);
    if (mtu !== undefined && overhead > 0 && mtu > 1500 - overhead) {
        warnings.push(
            `network.mtu ${mtu} leaves no room for the ${overhead}-byte ${overhead === 50 ? "VXLAN" : "IPIP"} header ` +
                `on a 1500-byte uplink: use at most ${1500 - overhead}, unless the node network carries jumbo frames ` +
                "(preflight checks it against the MTU of the interface flanneld used)",
        );
    }
    cm.data.calico_backend = backendFor(mode, p.network.vxlanTransition);
    cm.data.typha_service_name = p.typha.enabled ? "calico-typha" : "none";
}

const configRef = (e: EnvVar): { name?: string; key?: string } | undefined =>
    (e.valueFrom as { configMapKeyRef?: { name?: string; key?: string } } | undefined)?.configMapKeyRef;

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
    // SIDE_EFFECTS felix-encapsulation-v3.8: what libcalico's maybeEnableIPIP / maybeEnableVXLAN did.
    for (const e of felixEncapsulationEnv(p.version, p.network.mode, p.network.vxlanTransition))
        setEnv(node, e.name, e.value);
    // SIDE_EFFECTS vxlan-mtu-v3.8: the tunnel devices get veth_mtu, as v3.26+ manifests wire it.
    const ipipMtu = node.env.find((e) => e.name === "FELIX_IPINIPMTU");
    if (ipipMtu && configRef(ipipMtu)?.key === "veth_mtu" && !node.env.some((e) => e.name === "FELIX_VXLANMTU")) {
        node.env.splice(node.env.indexOf(ipipMtu) + 1, 0, {
            name: "FELIX_VXLANMTU",
            valueFrom: { configMapKeyRef: { name: "calico-config", key: "veth_mtu" } },
        });
    }
    if (backendFor(p.network.mode, p.network.vxlanTransition) === "vxlan") {
        // No BIRD with calico_backend vxlan: its health checks would keep calico-node unready.
        for (const probe of [node.livenessProbe, node.readinessProbe]) {
            const cmd: string[] | undefined = probe?.exec?.command;
            if (cmd) probe.exec.command = cmd.filter((a) => a !== "-bird-live" && a !== "-bird-ready");
        }
    }
    if (p.maxUnavailable !== undefined) {
        const us = ds.spec.updateStrategy;
        if (us?.type !== "RollingUpdate")
            throw new Error("the Calico manifest's calico-node has no RollingUpdate updateStrategy");
        us.rollingUpdate = { ...(us.rollingUpdate ?? {}), maxUnavailable: p.maxUnavailable };
    }
}

/** The calico-config keys a workload's pods read (env, envFrom, volumes); sorted. */
export function consumedConfigKeys(o: K8sObject, cm: K8sObject): string[] {
    const name = cm.metadata.name;
    const all = Object.keys(cm.data ?? {});
    const keys = new Set<string>();
    for (const c of containersOf(o)) {
        for (const e of (c.env ?? []) as EnvVar[]) if (configRef(e)?.name === name) keys.add(String(configRef(e)?.key));
        for (const f of c.envFrom ?? []) if (f.configMapRef?.name === name) all.forEach((k) => keys.add(k));
    }
    for (const v of o.spec?.template?.spec?.volumes ?? [])
        if (v.configMap?.name === name) all.forEach((k) => keys.add(k));
    return [...keys].sort();
}

/**
 * Puts the hash of the calico-config data the workload reads into its pod template, so a
 * change rolls it through its own update strategy (SIDE_EFFECTS configmap-env-read-at-start).
 * A workload that reads none (Typha, in every version) gets no annotation.
 */
export function annotateConfigHash(o: K8sObject, cm: K8sObject): void {
    const keys = consumedConfigKeys(o, cm);
    if (!keys.length) return;
    const data = keys.map((k) => [k, cm.data?.[k] ?? null]);
    const tmpl = o.spec.template;
    tmpl.metadata = tmpl.metadata ?? {};
    tmpl.metadata.annotations = {
        ...(tmpl.metadata.annotations ?? {}),
        [CONFIG_HASH_ANNOTATION]: crypto.createHash("sha256").update(JSON.stringify(data)).digest("hex"),
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
    annotateConfigHash(parts.calicoNode, parts.configMap);
    return { parts, warnings };
}

/**
 * Typha's objects with replicas from the decision (Deployment calico-typha only), the image
 * mirror, the tolerations later versions have when the manifest's do not cover a NotReady node
 * (SIDE_EFFECTS typha-tolerations-v3.8), and the config hash of what it reads from `configMap`.
 */
export function patchTypha(
    input: readonly K8sObject[],
    typha: TyphaDecision,
    imageRegistry?: string,
    configMap?: K8sObject,
): K8sObject[] {
    const parts = typhaParts(deepCopy(input));
    parts.deployment.spec.replicas = typha.replicas;
    const pod = parts.deployment.spec.template.spec;
    if (untolerated(pod.tolerations ?? []).length)
        pod.tolerations = [...(pod.tolerations ?? []), ...LATER_TYPHA_TOLERATIONS.map((t) => ({ ...t }))];
    mirrorAll(parts.objects, imageRegistry);
    if (configMap) annotateConfigHash(parts.deployment, configMap);
    return [...parts.objects];
}
