/**
 * Which objects are protected (protect + retainOnDelete): those whose loss
 * takes the cluster's network down or loses IPAM data. Pure data, no
 * imports, so the policy pack (policy/) checks the same list the program uses.
 */

export interface ObjectRef {
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** The IPv4 pool the program manages. */
export const IPPOOL_NAME = "default-ipv4-ippool";

export function isProtected(o: ObjectRef): boolean {
    return (
        o.kind === "CustomResourceDefinition" ||
        o.kind === "IPPool" ||
        (o.kind === "ConfigMap" && o.metadata.name === "calico-config") ||
        (o.kind === "DaemonSet" && o.metadata.name === "calico-node")
    );
}

/** Objects every stack of this program has (a stack policy fails when one is missing: a delete). */
export const EXPECTED_PROTECTED: readonly { readonly kind: string; readonly name: string }[] = [
    { kind: "CustomResourceDefinition", name: "ippools.crd.projectcalico.org" },
    { kind: "IPPool", name: IPPOOL_NAME },
    { kind: "ConfigMap", name: "calico-config" },
    { kind: "DaemonSet", name: "calico-node" },
];
