/**
 * What the stack outputs can truthfully say about the check. Pulumi knows a Job's status (the
 * provider returns the live object once it has waited for it), not its pods' logs: the verdict
 * comes from the Job's conditions, the pairs from the plan, the time from the Job's start and
 * completion. Pure.
 */
import { CheckPlan, PAIR_CHECKS, VERIFY_NAMESPACE } from "./plan";

export interface JobStatusLike {
    readonly startTime?: string;
    readonly completionTime?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly message?: string }[];
}

export interface JobResult {
    /** "passed: ...", "failed: ..." or "unknown: ...". */
    readonly verdict: string;
    /** From the Job's startTime to its completionTime; absent when Pulumi has no status. */
    readonly seconds?: number;
}

/** The verdict Pulumi can give from a Job's status (undefined under preview and the offline plan). */
export function jobResult(name: string, status: JobStatusLike | undefined): JobResult {
    const job = `Job ${VERIFY_NAMESPACE}/${name}`;
    const cond = (type: string) => status?.conditions?.find((c) => c.type === type && c.status === "True");
    const start = status?.startTime ? Date.parse(status.startTime) : NaN;
    const end = status?.completionTime ? Date.parse(status.completionTime) : NaN;
    const seconds = Number.isFinite(start) && Number.isFinite(end) ? Math.round((end - start) / 1000) : undefined;
    const timing = seconds === undefined ? {} : { seconds };
    if (cond("Complete")) {
        return {
            verdict: `passed: ${job} completed${status?.completionTime ? ` at ${status.completionTime}` : ""}; failures the baseline already had, if any, are in its logs`,
            ...timing,
        };
    }
    const failed = cond("Failed");
    if (failed) return { verdict: `failed: ${job}: ${failed.message ?? "see its pods' logs"}`, ...timing };
    return { verdict: `unknown: Pulumi has no completed status for ${job} (preview, or the offline plan)` };
}

/** What each checker pod checks, in words, for the outputs and the summary. */
export function coverage(plan: CheckPlan): string {
    const probes = plan.all
        ? `every probe pod in the cluster (${plan.clusterNodes} node(s))`
        : `${plan.targets.length} of ${plan.clusterNodes} nodes' probes: every node of the last wave and up to 50 others spread over the earlier waves`;
    return (
        `${plan.checkers.length} checker pod(s) on ${plan.checkers.join(", ")}, each to ${probes}: ` +
        `${PAIR_CHECKS.join(", ")} per probe (up to ${plan.pairChecks} probe checks), ` +
        `DNS (${plan.dnsNames.join(", ")}), the ClusterIP Service f2c-probe` +
        (plan.outside ? `, and ${plan.outside} outside the cluster` : "")
    );
}

/** Where a user reads the details. */
export function logsCommand(job: string): string {
    return `kubectl -n ${VERIFY_NAMESPACE} logs -l job-name=${job} --tail=-1`;
}
