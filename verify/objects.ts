/**
 * The check's Kubernetes objects, as plain manifests: the namespace, the probe DaemonSet and its
 * ClusterIP Service, and the two Jobs (baseline before the cutover, check after Calico). Pure.
 * Only fields that Kubernetes 1.14 already had (test/verify/objects.test.ts keeps it so).
 */
import * as crypto from "crypto";
import { K8sObject } from "../calico/manifest";
import { Settings } from "../settings/types";
import { CheckPlan, PARALLEL, PROBE_PORT, PROBE_WAIT_SECONDS, VERIFY_NAMESPACE } from "./plan";
import { SERVICE_ACCOUNTS } from "./rbac";
import { checkerProgram, probeProgram } from "./scripts";

export type JobMode = "baseline" | "check";
export const JOB_NAMES: Record<JobMode, string> = { baseline: "f2c-baseline", check: "f2c-check" };
export const PROBE_NAME = "f2c-probe";
const PART_OF = { "app.kubernetes.io/part-of": "flannel-to-calico" };
const meta = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    namespace: VERIFY_NAMESPACE,
    labels: { "app.kubernetes.io/name": name, ...PART_OF },
    ...extra,
});
/** Every taint, of every effect: the probes must run on NotReady and cordoned nodes too. */
const TOLERATE_ALL = [{ operator: "Exists" }];
const FIELD = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });

export function namespaceObject(): K8sObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name: VERIFY_NAMESPACE, labels: { ...PART_OF } } };
}

export function probeDaemonSet(image: string): K8sObject {
    const labels = { "app.kubernetes.io/name": PROBE_NAME };
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        // Created under Flannel on every node at once; 15 minutes covers image pulls on large clusters.
        metadata: meta(PROBE_NAME, { annotations: { "pulumi.com/timeoutSeconds": "900" } }),
        spec: {
            selector: { matchLabels: labels },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
            template: {
                metadata: { labels: { ...labels, ...PART_OF } },
                spec: {
                    serviceAccountName: SERVICE_ACCOUNTS.probe,
                    automountServiceAccountToken: false,
                    tolerations: TOLERATE_ALL,
                    terminationGracePeriodSeconds: 2,
                    containers: [
                        {
                            name: "probe",
                            image,
                            command: ["sh", "-c", probeProgram()],
                            env: [
                                { name: "NODE_NAME", ...FIELD("spec.nodeName") },
                                { name: "F2C_PORT", value: String(PROBE_PORT) },
                            ],
                            ports: [{ name: "http", containerPort: PROBE_PORT, protocol: "TCP" }],
                            readinessProbe: { httpGet: { path: "/node", port: PROBE_PORT }, periodSeconds: 5 },
                            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                        },
                    ],
                },
            },
        },
    };
}

/** The ClusterIP Service over every probe: the check reaches it from each checker pod. */
export function probeService(): K8sObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(PROBE_NAME),
        spec: {
            type: "ClusterIP",
            selector: { "app.kubernetes.io/name": PROBE_NAME },
            ports: [{ name: "http", port: PROBE_PORT, targetPort: PROBE_PORT, protocol: "TCP" }],
        },
    };
}

export interface JobInput {
    readonly mode: JobMode;
    readonly plan: CheckPlan;
    readonly settings: Settings;
    /** Name prefix of the baseline ConfigMaps of this run (both Jobs). */
    readonly baseline: string;
    /** Changes when Calico's network configuration changes: the check runs again. Check Job only. */
    readonly networkFingerprint?: string;
}

function jobEnv(j: JobInput): { name: string; value?: string }[] {
    const p = j.plan;
    const env: Record<string, string | undefined> = {
        F2C_MODE: j.mode,
        F2C_LIB: "1",
        F2C_NAMESPACE: VERIFY_NAMESPACE,
        F2C_PORT: String(PROBE_PORT),
        F2C_NODES: p.targets.join(" "),
        F2C_ALL: p.all ? "1" : "0",
        F2C_CHECKERS: p.checkers.join(" "),
        F2C_BASELINE: j.baseline,
        F2C_DNS_NAMES: p.dnsNames.join(" "),
        F2C_OUTSIDE: p.outside,
        F2C_ACK: j.mode === "baseline" ? j.settings.verify.acknowledgeNetworkPolicies.join(" ") : undefined,
        F2C_WAIT: String(PROBE_WAIT_SECONDS),
        F2C_PARALLEL: String(PARALLEL),
    };
    return Object.entries(env)
        .filter(([, v]) => v !== undefined)
        .map(([name, value]) => ({ name, value }));
}

export function checkJob(j: JobInput): K8sObject {
    const name = JOB_NAMES[j.mode];
    const labels = { "app.kubernetes.io/name": name };
    const n = j.plan.checkers.length;
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta(name, {
            annotations: {
                "pulumi.com/timeoutSeconds": String(j.plan.timeoutSeconds),
                // A Job that did not complete runs again at the next pulumi up.
                "pulumi.com/replaceUnready": "true",
            },
        }),
        spec: {
            parallelism: n,
            completions: n,
            backoffLimit: 0,
            activeDeadlineSeconds: j.plan.deadlineSeconds,
            template: {
                metadata: {
                    labels: { ...labels, ...PART_OF },
                    annotations: {
                        "flannel-to-calico/recheck": j.settings.rollout.recheck,
                        ...(j.networkFingerprint ? { "flannel-to-calico/network": j.networkFingerprint } : {}),
                    },
                },
                spec: {
                    restartPolicy: "Never",
                    serviceAccountName: SERVICE_ACCOUNTS[j.mode],
                    tolerations: TOLERATE_ALL,
                    affinity: {
                        // One checker pod on each planned node: the baseline and the check compare by node.
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [
                                    {
                                        matchFields: [
                                            { key: "metadata.name", operator: "In", values: [...j.plan.checkers] },
                                        ],
                                    },
                                ],
                            },
                        },
                        podAntiAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: [
                                { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
                            ],
                        },
                    },
                    containers: [
                        {
                            name: "check",
                            image: j.plan.image,
                            command: ["sh", "-c", checkerProgram()],
                            env: [
                                { name: "NODE_NAME", ...FIELD("spec.nodeName") },
                                { name: "POD_IP", ...FIELD("status.podIP") },
                                ...jobEnv(j),
                            ],
                            terminationMessagePolicy: "FallbackToLogsOnError",
                            resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "256Mi" } },
                        },
                    ],
                },
            },
        },
    };
}

/**
 * The baseline ConfigMaps' name prefix: f2c-baseline-<10 hex of the baseline Job's template>, so a
 * new baseline (new targets, recheck, image, program) gets new names and the check reads the one
 * taken before this run's cutover.
 */
export function baselinePrefix(plan: CheckPlan, settings: Settings): string {
    const job = checkJob({ mode: "baseline", plan, settings, baseline: "" });
    const hash = crypto.createHash("sha256").update(JSON.stringify(job.spec.template)).digest("hex");
    return `f2c-baseline-${hash.slice(0, 10)}`;
}

/** What the check Job re-runs on: Calico's version, manifest, mode, MTU, pool and Typha. */
export function networkFingerprint(s: Settings, manifestSha256: string): string {
    const basis = {
        calico: s.calico.versionText,
        manifestSha256,
        imageRegistry: s.calico.imageRegistry ?? "",
        podCidr: s.cluster.podCidr.text,
        network: s.network,
        typha: s.typha.replicas,
    };
    return crypto.createHash("sha256").update(JSON.stringify(basis)).digest("hex").slice(0, 16);
}
