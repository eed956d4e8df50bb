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
import { NODE_COMMAND_NAMES, NodeCommand } from "./nodes/steps";

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
    /** The local command that refuses a one-step switch to or from vxlan (calico/modeSwitch.ts). */
    networkGuard: "calico-network-guard",
    networkCheck: "network-check",
} as const;

/** A node command: `<node>-preflight` or `<node>-cutover` (never the cluster name: renaming it replaces nothing). */
export function nodeCommandName(node: string, command: NodeCommand): string {
    return `${node}-${command}`;
}

/** The step library shipped to a node: `<node>-library` (a CopyToRemote). */
export function nodeLibraryName(node: string): string {
    return `${node}-library`;
}

/** Splits a node command's name back into node and command (1-based position). */
export function nodeCommandOf(name: string): { node: string; index: number; command: NodeCommand } | undefined {
    for (const [i, command] of NODE_COMMAND_NAMES.entries()) {
        const suffix = `-${command}`;
        if (name.endsWith(suffix)) return { node: name.slice(0, -suffix.length), index: i + 1, command };
    }
    return undefined;
}

/** The gate after every node's preflight: no cutover starts before it. */
export const PREFLIGHT_GATE = "preflight-complete";

/** The gate before the first wave's cutover: every preflight and Calico's base objects. */
export const CUTOVER_GATE = "cutover-start";

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
