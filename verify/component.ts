/**
 * NetworkCheck: the probe DaemonSet, its Service, RBAC and the baseline Job at construction (before
 * the first cutover: node preparation waits on `baseline`); `check` then adds the Job that runs after
 * Calico. Thin wiring of verify/objects.ts; the DaemonSet and Jobs are kept between runs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { objectResourceName, TYPES } from "../identity";
import { K8sObject } from "../calico/manifest";
import { Settings } from "../settings/types";
import {
    baselinePrefix,
    checkJob,
    JOB_NAMES,
    namespaceObject,
    networkFingerprint,
    probeDaemonSet,
    probeService,
} from "./objects";
import { CheckPlan, planCheck } from "./plan";
import { rbacObjects, serviceAccounts } from "./rbac";
import { coverage, jobResult, JobResult, JobStatusLike, logsCommand } from "./result";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;
const CLASSES: Record<string, Ctor> = {
    Namespace: k8s.core.v1.Namespace,
    ServiceAccount: k8s.core.v1.ServiceAccount,
    Service: k8s.core.v1.Service,
    Role: k8s.rbac.v1.Role,
    RoleBinding: k8s.rbac.v1.RoleBinding,
    ClusterRole: k8s.rbac.v1.ClusterRole,
    ClusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding,
    DaemonSet: k8s.apps.v1.DaemonSet,
    Job: k8s.batch.v1.Job,
};

export interface NetworkCheckArgs {
    /** The validated stack settings (verify, waves, recheck, network). */
    readonly settings: Settings;
    /** The stack's Kubernetes provider. Required. */
    readonly provider: k8s.Provider;
    /** The Calico manifest's sha256: a new manifest runs the check again. Required. */
    readonly manifestSha256: string;
}

/** The stack output `networkCheck`. */
export interface NetworkCheckOutput {
    readonly baseline: JobResult;
    readonly check: JobResult;
    /** What was checked, from the plan (the Job's own counts are in its logs). */
    readonly checked: string;
    readonly checkers: readonly string[];
    readonly probeChecks: number;
    readonly logs: string;
}

export class NetworkCheck extends pulumi.ComponentResource {
    readonly plan: CheckPlan;
    /** The pre-cutover Job: the first wave of node preparation waits on it. */
    readonly baseline: pulumi.Resource;
    private readonly args: NetworkCheckArgs;
    private readonly prefix: string;
    private readonly infra: pulumi.Resource[];
    private readonly checkRbac: pulumi.Resource[];
    private readonly baselineStatus: pulumi.Output<JobStatusLike | undefined>;

    constructor(name: string, args: NetworkCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.networkCheck, name, {}, opts);
        this.args = args;
        const s = args.settings;
        this.plan = planCheck(s);
        this.prefix = baselinePrefix(this.plan, s);
        const ns = this.reg(namespaceObject(), []);
        const accounts = serviceAccounts().map((o) => this.reg(o, [ns]));
        const rbac = rbacObjects(this.prefix, this.plan.checkers.length);
        const baselineRbac = rbac.baseline.map((o) => this.reg(o, [ns]));
        this.checkRbac = rbac.check.map((o) => this.reg(o, [ns]));
        const ds = this.reg(probeDaemonSet(this.plan.image), [...accounts]);
        const svc = this.reg(probeService(), [ds]);
        this.infra = [ds, svc, ...accounts];
        const baseline = checkJob({ mode: "baseline", plan: this.plan, settings: s, baseline: this.prefix });
        const job = this.reg(baseline, [...this.infra, ...baselineRbac]) as k8s.batch.v1.Job;
        this.baseline = job;
        this.baselineStatus = job.status as pulumi.Output<JobStatusLike | undefined>;
    }

    /** Registers the check Job after `after` (calico-node, kube-controllers, Typha); returns the output. */
    check(after: readonly pulumi.Resource[]): pulumi.Output<NetworkCheckOutput> {
        const s = this.args.settings;
        const job = this.reg(
            checkJob({
                mode: "check",
                plan: this.plan,
                settings: s,
                baseline: this.prefix,
                networkFingerprint: networkFingerprint(s, this.args.manifestSha256),
            }),
            [...after, ...this.infra, ...this.checkRbac, this.baseline],
        ) as k8s.batch.v1.Job;
        const output = pulumi
            .all([this.baselineStatus, job.status as pulumi.Output<JobStatusLike | undefined>])
            .apply(([b, c]) => ({
                baseline: jobResult(JOB_NAMES.baseline, b),
                check: jobResult(JOB_NAMES.check, c),
                checked: coverage(this.plan),
                checkers: [...this.plan.checkers],
                probeChecks: this.plan.pairChecks,
                logs: logsCommand(JOB_NAMES.check),
            }));
        this.registerOutputs({ networkCheck: output });
        return output;
    }

    private reg(o: K8sObject, dependsOn: pulumi.Resource[]): pulumi.CustomResource {
        const ctor = CLASSES[o.kind];
        if (!ctor) throw new pulumi.ResourceError(`verify/ registers no ${o.kind}`, this);
        return new ctor(objectResourceName(o), o, { parent: this, provider: this.args.provider, dependsOn });
    }
}
