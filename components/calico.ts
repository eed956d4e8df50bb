/**
 * Calico: the upstream manifest's objects (patched in calicoManifest.ts) and
 * the managed IPv4 pool and BGP resources, in dependency order: CRDs, then
 * RBAC and config, then the pool, then calico-node (after Typha when it runs),
 * then calico-kube-controllers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Settings } from "../stacks/settings";
import { bgpObjects, ipPool, isProtected, K8sObject } from "./calicoManifest";
import { registerObject } from "./k8sObjects";

export interface CalicoArgs {
    /** The validated stack settings. */
    readonly settings: Settings;
    /** The patched manifest objects, Typha's own left out. */
    readonly objects: readonly K8sObject[];
    /** The stack's Kubernetes provider. Required. */
    readonly provider: k8s.Provider;
    /** What must finish first: the last wave of node preparation. Default: nothing. */
    readonly after?: readonly pulumi.Resource[];
    /** Resolves to Typha's Deployment when Typha runs (calico-node waits on it), or to nothing. Default: nothing. */
    readonly typha?: Promise<readonly pulumi.Resource[]>;
}

export class Calico extends pulumi.ComponentResource {
    /** CRDs, RBAC, config and the pool: what Typha needs before it starts. */
    readonly base: readonly pulumi.Resource[];
    readonly ipPool: pulumi.Resource;
    readonly calicoNode: pulumi.Resource;

    constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flannel-to-calico:calico:Calico", name, {}, opts);
        const s = args.settings;
        const reg = (o: K8sObject, dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>) =>
            registerObject(o, { provider: args.provider, parent: this, dependsOn, protect: isProtected(o), adopt: s.calico.adopt });
        const after = [...(args.after ?? [])];
        const isLate = (o: K8sObject) => (o.kind === "DaemonSet" && o.metadata.name === "calico-node") || (o.kind === "Deployment" && o.metadata.name === "calico-kube-controllers");
        const crds = new Map<string, pulumi.Resource>();
        for (const o of args.objects.filter((x) => x.kind === "CustomResourceDefinition")) crds.set(o.metadata.name, reg(o, after));
        const otherObjects = args.objects.filter((x) => x.kind !== "CustomResourceDefinition" && !isLate(x));
        const others = otherObjects.map((o) => reg(o, after));
        const crd = (plural: string) => { const c = crds.get(`${plural}.crd.projectcalico.org`); if (!c) throw new Error(`the Calico manifest has no ${plural} CRD`); return c; };
        this.ipPool = reg(ipPool(s.cluster.podCidr.text, s.network), [crd("ippools")]);
        const bgp = bgpObjects(s.network).map((o) => reg(o, [crd(o.kind === "BGPPeer" ? "bgppeers" : "bgpconfigurations")]));
        this.base = [...crds.values(), ...others, this.ipPool, ...bgp];
        const configMap = others[otherObjects.findIndex((o) => o.kind === "ConfigMap" && o.metadata.name === "calico-config")];
        const nodeDeps = (args.typha ?? Promise.resolve([])).then((t) => [this.ipPool, configMap, ...t]);
        const node = args.objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "calico-node")!;
        this.calicoNode = reg(node, nodeDeps);
        const kc = args.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "calico-kube-controllers")!;
        reg(kc, [this.ipPool]);
        this.registerOutputs({});
    }
}
