/** Typha: its Service, Deployment and PodDisruptionBudget from the Typha variant, replicas from the settings. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { K8sObject } from "./calicoManifest";
import { registerObject } from "./k8sObjects";

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

export class Typha extends pulumi.ComponentResource {
    readonly deployment: pulumi.Resource;

    constructor(name: string, args: TyphaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flannel-to-calico:calico:Typha", name, {}, opts);
        let deployment: pulumi.Resource | undefined;
        for (const o of args.objects) {
            const r = registerObject(o, { provider: args.provider, parent: this, dependsOn: [...(args.after ?? [])], adopt: args.adopt });
            if (o.kind === "Deployment") deployment = r;
        }
        if (!deployment) throw new Error("the Calico Typha manifest has no Deployment calico-typha");
        this.deployment = deployment;
        this.registerOutputs({});
    }
}
