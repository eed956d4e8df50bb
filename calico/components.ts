/**
 * The Calico and Typha components: thin wiring of the patched manifest's
 * parts into resources, in dependency order. Calico registers the mode-switch
 * guard, its CRDs, the rest of its configuration, the pool and BGP objects at
 * construction; `workloads` then adds calico-node (after all of that and
 * Typha's objects, when Typha runs) and calico-kube-controllers after
 * calico-node (it needs the pod network: calico/ordering.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { NAMES, TYPES } from "../identity";
import { Settings } from "../settings/types";
import { bgpObjects, ipPool } from "./managed";
import { CalicoParts, K8sObject } from "./manifest";
import { guardScript, networkState } from "./modeSwitch";
import { registerObject } from "./register";

export interface CalicoArgs {
    /** The validated stack settings. */
    readonly settings: Settings;
    /** The patched manifest's named parts (Typha's own objects are not among them). */
    readonly parts: CalicoParts;
    /** The stack's Kubernetes provider. Required. */
    readonly provider: k8s.Provider;
    /** The stack's command provider, for the mode-switch guard (a local command). Required. */
    readonly commandProvider: command.Provider;
    /** IPPool fields libcalico's client would have defaulted (prepareCalico). Default: none. */
    readonly poolDefaults?: Readonly<Record<string, unknown>>;
    /** What must finish first: the last wave of node preparation. Default: nothing. */
    readonly after?: readonly pulumi.Resource[];
}

export interface CalicoWorkloads {
    readonly calicoNode: pulumi.Resource;
    readonly kubeControllers: pulumi.Resource;
}

type Reg = (
    o: K8sObject,
    dependsOn: pulumi.Input<pulumi.Resource>[],
    t?: pulumi.CustomTimeouts,
) => pulumi.CustomResource;

export class Calico extends pulumi.ComponentResource {
    /** CRDs, RBAC, ServiceAccounts, config, the pool and BGP objects: what Typha and the workloads need first. */
    readonly base: readonly pulumi.Resource[];
    readonly ipPool: pulumi.Resource;
    readonly configMap: pulumi.Resource;
    /** Refuses a one-step switch to or from vxlan at `pulumi up` (calico/modeSwitch.ts). */
    readonly guard: pulumi.Resource;
    private readonly reg: Reg;
    private readonly parts: CalicoParts;

    constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.calico, name, {}, opts);
        const s = args.settings;
        this.parts = args.parts;
        this.reg = (o, dependsOn, customTimeouts) =>
            registerObject(o, {
                provider: args.provider,
                parent: this,
                dependsOn,
                adopt: s.calico.adopt,
                ...(customTimeouts ? { customTimeouts } : {}),
            });
        const script = guardScript(networkState(s.calico.version, s.network.mode, s.network.vxlanTransition));
        this.guard = new command.local.Command(
            NAMES.networkGuard,
            { create: script, update: script, addPreviousOutputInEnv: true, logging: "stderr" },
            { parent: this, provider: args.commandProvider },
        );
        const after = [...(args.after ?? []), this.guard];
        const crds = new Map(args.parts.crds.map((o) => [o.metadata.name, this.reg(o, after)]));
        const rest = new Map(args.parts.rest.map((o) => [o, this.reg(o, after)]));
        const crd = (plural: string): pulumi.Resource => {
            const c = crds.get(`${plural}.crd.projectcalico.org`);
            if (!c) throw new pulumi.ResourceError(`the Calico manifest has no ${plural} CRD`, this);
            return c;
        };
        this.ipPool = this.reg(ipPool(s.cluster.podCidr.text, s.network, { ...(args.poolDefaults ?? {}) }), [
            crd("ippools"),
        ]);
        const bgp = bgpObjects(s.network).map((o) =>
            this.reg(o, [crd(o.kind === "BGPPeer" ? "bgppeers" : "bgpconfigurations")]),
        );
        this.base = [...crds.values(), ...rest.values(), this.ipPool, ...bgp];
        const configMap = rest.get(args.parts.configMap);
        if (!configMap) throw new pulumi.ResourceError("the Calico manifest's calico-config was not registered", this);
        this.configMap = configMap;
    }

    /**
     * Registers calico-node after everything in `base` and `after` (the last wave's gate, Typha's objects),
     * with its await bounds; then kube-controllers after calico-node, which nothing waits on.
     */
    workloads(after: readonly pulumi.Resource[], calicoNodeTimeouts: pulumi.CustomTimeouts): CalicoWorkloads {
        const calicoNode = this.reg(this.parts.calicoNode, [...this.base, ...after], calicoNodeTimeouts);
        const kubeControllers = this.reg(this.parts.kubeControllers, [...this.base, calicoNode]);
        this.registerOutputs({});
        return { calicoNode, kubeControllers };
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
    /** Every object of Typha's: calico-node waits on them all (Felix looks the Service up). */
    readonly resources: readonly pulumi.Resource[];

    constructor(name: string, args: TyphaArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.typha, name, {}, opts);
        let deployment: pulumi.Resource | undefined;
        const resources: pulumi.Resource[] = [];
        for (const o of args.objects) {
            const r = registerObject(o, {
                provider: args.provider,
                parent: this,
                dependsOn: [...(args.after ?? [])],
                adopt: args.adopt,
            });
            resources.push(r);
            if (o.kind === "Deployment") deployment = r;
        }
        this.resources = resources;
        if (!deployment)
            throw new pulumi.ResourceError("the Calico Typha manifest has no Deployment calico-typha", this);
        this.deployment = deployment;
        this.registerOutputs({});
    }
}
