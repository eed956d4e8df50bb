/**
 * The node-preparation steps, in order, and the commands that run them on
 * each node: `preflight` (read-only, every node before the first cutover)
 * and `cutover` (the other five steps, wave by wave).
 */
export const STEPS = ["preflight", "remove-flannel", "docker", "kubelet", "cni-state", "apply"] as const;
export type StepName = (typeof STEPS)[number];

/** Each node's commands and the steps each runs. */
export const NODE_COMMANDS = {
    preflight: ["preflight"],
    cutover: ["remove-flannel", "docker", "kubelet", "cni-state", "apply"],
} as const satisfies Record<string, readonly StepName[]>;
export type NodeCommand = keyof typeof NODE_COMMANDS;
export const NODE_COMMAND_NAMES = Object.keys(NODE_COMMANDS) as NodeCommand[];
