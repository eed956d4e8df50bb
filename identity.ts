/**
 * Resource identity: every resource name and component type token this
 * program registers, in one place.
 *
 * A Pulumi URN is built from the type token, the parent chain and the name.
 * CHANGING ANY NAME OR TOKEN HERE REPLACES LIVE RESOURCES on every stack
 * (or, for protected objects, makes `pulumi up` refuse) unless the change
 * carries `aliases`. test/program/identity.test.ts compares the full URN list
 * of the committed stacks with test/fixtures/urns-<stack>.txt.
 */
import { STEPS, StepName } from "./nodes/steps";

/** Component type tokens: `flannel-to-calico:<module>:<Name>`. */
export const TYPES = {
    nodePreparation: "flannel-to-calico:nodes:NodePreparation",
    calico: "flannel-to-calico:calico:Calico",
    typha: "flannel-to-calico:calico:Typha",
    networkCheck: "flannel-to-calico:verify:NetworkCheck",
} as const;

/** Names of the components and providers the program creates once per stack. */
export const NAMES = {
    kubernetesProvider: "kubernetes",
    commandProvider: "command",
    nodes: "nodes",
    calico: "calico",
    typha: "typha",
    networkCheck: "network-check",
} as const;

/** A node step's command: `<node>-<step>`. Not the cluster's name: renaming the cluster must replace nothing. */
export function nodeStepName(node: string, step: StepName): string {
    return `${node}-${step}`;
}

/** Splits a node step's command name back into node and step (1-based position). */
export function nodeStepOf(name: string): { node: string; step: number; stepName: StepName } | undefined {
    for (let i = 0; i < STEPS.length; i++) {
        const suffix = `-${STEPS[i]}`;
        if (name.endsWith(suffix)) return { node: name.slice(0, -suffix.length), step: i + 1, stepName: STEPS[i] };
    }
    return undefined;
}

/** The gate after wave `index` (0-based): `wave-<n>-complete`. */
export function waveGateName(index: number): string {
    return `wave-${index + 1}-complete`;
}

/** What identifies a Kubernetes object: kind, namespace and name (never the apiVersion). */
export interface ObjectKey {
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** The resource name of a Kubernetes object: stable across Calico versions and manifest variants. */
export function objectResourceName(o: ObjectKey): string {
    return `${o.kind.toLowerCase()}-${o.metadata.namespace ?? "cluster"}-${o.metadata.name}`;
}
