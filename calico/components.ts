/**
 * The Calico and Typha components: thin wiring of the patched manifest's
 * parts into resources, in dependency order. Calico registers its CRDs, the
 * rest of its configuration, the pool and BGP objects at construction;
 * `workloads` then adds calico-node (after Typha, when Typha runs) and
 * calico-kube-controllers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TYPES } from "../identity";
import { Settings } from "../settings/types";
import { bgpObjects, ipPool } from "./managed";
import { CalicoParts, K8sObject } from "./manifest";
import { registerObject } from "./register";

export interface CalicoArgs {
    /** The validated stack settings. */
    readonly settings: Settings;
    /** The patched manifest's named parts (Typha's own objects are not among them). */
    readonly parts: CalicoParts;
    /** The stack's Kubernetes provider. Required. */
    readonly provider: k8s.Provider;
    /** What must finish first: the last wave of node preparation. Default: nothing. */
    readonly after?: readonly pulumi.Resource[];
}

export class Calico extends pulumi.ComponentResource {
    /** CRDs, RBAC, config and the pool: what Typha needs before it starts. */
    readonly base: readonly pulumi.Resource[];
    readonly ipPool: pulumi.Resource;
    readonly configMap: pulumi.Resource;
    readonly kubeControllers: pulumi.Resource;
    private readonly reg: (o: K8sObject, dependsOn: pulumi.Input<pulumi.Resource>[]) => pulumi.CustomResource;
    private readonly parts: CalicoParts;

    constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.calico, name, {}, opts);
        const s = args.settings;
        this.parts = args.parts;
        this.reg = (o, dependsOn) =>
            registerObject(o, { provider: args.provider, parent: this, dependsOn, adopt: s.calico.adopt });
        const after = [...(args.after ?? [])];
        const crds = new Map(args.parts.crds.map((o) => [o.metadata.name, this.reg(o, after)]));
        const rest = new Map(args.parts.rest.map((o) => [o, this.reg(o, after)]));
        const crd = (plural: string): pulumi.Resource => {
            const c = crds.get(`${plural}.crd.projectcalico.org`);
            if (!c) throw new pulumi.ResourceError(`the Calico manifest has no ${plural} CRD`, this);
            return c;
        };
        this.ipPool = this.reg(ipPool(s.cluster.podCidr.text, s.network), [crd("ippools")]);
        const bgp = bgpObjects(s.network).map((o) =>
            this.reg(o, [crd(o.kind === "BGPPeer" ? "bgppeers" : "bgpconfigurations")]),
        );
        this.base = [...crds.values(), ...rest.values(), this.ipPool, ...bgp];
        const configMap = rest.get(args.parts.configMap);
        if (!configMap) throw new pulumi.ResourceError("the Calico manifest's calico-config was not registered", this);
        this.configMap = configMap;
        this.kubeControllers = this.reg(args.parts.kubeControllers, [this.ipPool]);
    }

    /** Registers calico-node after the pool, calico-config and `after` (Typha's Deployment when it runs). */
    workloads(after: readonly pulumi.Resource[]): pulumi.Resource {
        const calicoNode = this.reg(this.parts.calicoNode, [this.ipPool, this.configMap, ...after]);
        this.registerOutputs({});
        return calicoNode;
    }
}

export interface TyphaArgs {
    /** Typha's own objects from the Typha variant, replicas already set (patchTypha). */
    readonly objects: readonly K8sObject[];
    /** The stack's Kubernetes provider. Required. */
    readonly provider: k8s.Provider;
    /** Calico's CRDs, RBAC and config: Typha needs them to start. Default: nothing. */
    readonly after?: readonly pulumi.Resource[];
    /** calico.adopt. Default false. */
    readonly adopt?: boolean;
}

/** Typha: its Service, Deployment and PodDisruptionBudget from the Typha variant. */
export class Typha extends pulumi.ComponentResource {
    readonly deployment: pulumi.Resource;

    constructor(name: string, args: TyphaArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.typha, name, {}, opts);
        let deployment: pulumi.Resource | undefined;
        for (const o of args.objects) {
            const r = registerObject(o, {
                provider: args.provider,
                parent: this,
                dependsOn: [...(args.after ?? [])],
                adopt: args.adopt,
            });
            if (o.kind === "Deployment") deployment = r;
        }
        if (!deployment)
            throw new pulumi.ResourceError("the Calico Typha manifest has no Deployment calico-typha", this);
        this.deployment = deployment;
        this.registerOutputs({});
    }
}
