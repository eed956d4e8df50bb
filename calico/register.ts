/**
 * One Kubernetes object -> one Pulumi resource. Built-in kinds go through the
 * typed classes of @pulumi/kubernetes (their aliases turn an apiVersion change,
 * e.g. CRDs v1beta1 -> v1 or PDBs policy/v1beta1 -> v1, into an update);
 * Calico's own kinds go through the generic CustomResource.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { objectResourceName } from "../identity";
import { IPPOOL_IDENTITY_FIELDS } from "./managed";
import { K8sObject } from "./manifest";
import { isProtected } from "./protection";

export { isProtected };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const TYPED: Record<string, Ctor> = {
    "apiextensions.k8s.io/v1beta1/CustomResourceDefinition": k8s.apiextensions.v1beta1.CustomResourceDefinition,
    "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition,
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "v1/Service": k8s.core.v1.Service,
    "v1/Secret": k8s.core.v1.Secret,
    "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
    "apps/v1/DaemonSet": k8s.apps.v1.DaemonSet,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "policy/v1beta1/PodDisruptionBudget": k8s.policy.v1beta1.PodDisruptionBudget,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
};

export interface RegisterOptions {
    readonly provider: k8s.Provider;
    readonly parent: pulumi.Resource;
    readonly dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
    /** calico.adopt: take field ownership from kubectl's client-side apply. */
    readonly adopt?: boolean;
    /** The provider's await bounds (they take precedence over pulumi.com/timeoutSeconds). */
    readonly customTimeouts?: pulumi.CustomTimeouts;
}

/**
 * Fields whose change must replace the object. pulumi-kubernetes patches a custom
 * resource's spec in place (diff.go forceNewProperties: only metadata.name and
 * namespace for unknown groups); the engine turns a change of these diff keys into
 * a replace, which protect then refuses.
 */
export function replaceOnChangesFor(o: Pick<K8sObject, "kind">): string[] {
    return o.kind === "IPPool" ? [...IPPOOL_IDENTITY_FIELDS] : [];
}

/** Registers one object; protection follows `isProtected`. Throws a ResourceError naming a kind it cannot register. */
export function registerObject(o: K8sObject, opts: RegisterOptions): pulumi.CustomResource {
    const obj: K8sObject = opts.adopt
        ? {
              ...o,
              metadata: {
                  ...o.metadata,
                  annotations: { ...(o.metadata.annotations ?? {}), "pulumi.com/patchForce": "true" },
              },
          }
        : o;
    const ropts: pulumi.CustomResourceOptions = {
        parent: opts.parent,
        provider: opts.provider,
        ...(opts.dependsOn ? { dependsOn: opts.dependsOn } : {}),
        ...(isProtected(o) ? { protect: true, retainOnDelete: true } : {}),
        ...(replaceOnChangesFor(o).length ? { replaceOnChanges: replaceOnChangesFor(o) } : {}),
        ...(opts.customTimeouts ? { customTimeouts: opts.customTimeouts } : {}),
    };
    const name = objectResourceName(o);
    if (o.apiVersion.startsWith("crd.projectcalico.org/"))
        return new k8s.apiextensions.CustomResource(name, obj, ropts);
    const ctor = TYPED[`${o.apiVersion}/${o.kind}`];
    if (!ctor) {
        throw new pulumi.ResourceError(
            `the Calico manifest has ${o.apiVersion} ${o.kind} ${o.metadata.name}, a kind this program does not register; ` +
                "it needs adding to calico/register.ts",
            opts.parent,
        );
    }
    return new ctor(name, obj, ropts);
}
