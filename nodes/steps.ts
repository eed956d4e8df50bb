/** The node-preparation steps, in order; plan files are NN-<step>.sh. */
export const STEPS = ["preflight", "remove-flannel", "docker", "kubelet", "cni-state", "apply"] as const;
export type StepName = (typeof STEPS)[number];
