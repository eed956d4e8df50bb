/**
 * The policies of the policy pack, as plain objects so tests can call their
 * validate functions directly (the policy SDK ships no test helpers).
 *
 * What CrossGuard can see: each resource's new inputs and the options in
 * @pulumi/policy 1.21.0 PolicyResourceOptions (protect, ignoreChanges,
 * deleteBeforeReplace, aliases, customTimeouts, additionalSecretOutputs,
 * parent). It sees neither the operation nor the old state, and not
 * retainOnDelete or replaceOnChanges: those are checked by the plan's tests
 * and the plan diff (README, "Policy pack").
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { EXPECTED_PROTECTED, isProtected } from "../calico/protection";

interface Meta {
    readonly name?: string;
    readonly namespace?: string;
}
const objectOf = (type: string, props: Record<string, unknown>) => {
    if (!type.startsWith("kubernetes:") || type.startsWith("pulumi:")) return undefined;
    const meta = (props.metadata ?? {}) as Meta;
    return { kind: String(props.kind ?? type.split(":").pop()), metadata: { name: meta.name ?? "" } };
};

export const protectedCalicoObjects: ResourceValidationPolicy = {
    name: "calico-objects-protected",
    description:
        "Calico's CRDs, the IPPool, calico-config and calico-node carry protect, so no update can delete or replace them.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const o = objectOf(args.type, args.props);
        if (o && isProtected(o) && !args.opts.protect) {
            reportViolation(
                `${o.kind} ${o.metadata.name} must carry protect: losing it takes the cluster's network down`,
            );
        }
    },
};

export const providerClusterIdentity: ResourceValidationPolicy = {
    name: "kubernetes-provider-cluster-identifier",
    description:
        "The Kubernetes provider names its cluster (clusterIdentifier), so a kubeconfig move is no replacement.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        // k8s.Provider's own type token is "kubernetes", so isType() never matches a provider: compare the type.
        if (args.type !== "pulumi:providers:kubernetes") return;
        const id = args.props.clusterIdentifier;
        if (typeof id !== "string" || id === "") {
            reportViolation(
                "the Kubernetes provider has no clusterIdentifier: set cluster.id (it defaults to cluster.context)",
            );
        }
    },
};

export const protectedObjectsPresent: StackValidationPolicy = {
    name: "calico-protected-objects-present",
    description: "Every stack keeps Calico's protected objects; one missing from the program is a delete.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const have = args.resources.map((r) => objectOf(r.type, r.props)).filter((o) => o !== undefined);
        for (const want of EXPECTED_PROTECTED) {
            if (!have.some((o) => o.kind === want.kind && o.metadata.name === want.name)) {
                reportViolation(`${want.kind} ${want.name} is missing from the stack: pulumi up would delete it`);
            }
        }
    },
};

export const POLICIES = [protectedCalicoObjects, providerClusterIdentity, protectedObjectsPresent];
