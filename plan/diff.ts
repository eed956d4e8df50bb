/**
 * Compares two offline plans (their resources, read by read.ts) the way `pulumi up`
 * would act on them: each resource is created, updated, replaced or deleted
 * by the rules in rules.ts, with every changed field's old and new value.
 * Pure functions; rendering for a pull-request comment is in diffRender.ts.
 *
 * Kubernetes objects are matched by identity (group, kind, namespace, name),
 * not URN: the typed classes alias their older apiVersions, so CRDs moving
 * from v1beta1 to v1 are an update. Other resources are matched by URN.
 */
import { nodeCommandOf } from "../identity";
import { Action, classify, PlanEntry, providerVerdict, Verdict } from "./rules";

export type { PlanEntry };

export type Category = "kubernetes" | "node" | "provider" | "other";

export interface ResourceChange {
    readonly category: Category;
    /** "apps DaemonSet kube-system/calico-node", a command's name, or a provider's. */
    readonly label: string;
    readonly verdict: Verdict;
}

/** What the guard stops: a refused delete or replace, or a provider (and everything it manages) replaced. */
export interface GuardHit {
    readonly label: string;
    readonly action: Action;
    readonly why: string;
}

export interface PlanDiff {
    /** Every resource that is not left as it is. */
    readonly changes: readonly ResourceChange[];
    /** Node name -> steps whose command runs again. */
    readonly nodesRerun: ReadonlyMap<string, readonly string[]>;
    /** Resources whose dependencies alone changed (nothing runs). */
    readonly dependsOnOnly: readonly string[];
    readonly guard: readonly GuardHit[];
}

const isK8s = (e: PlanEntry) => e.type.startsWith("kubernetes:");
const isProvider = (e: PlanEntry) => e.type.startsWith("pulumi:providers:");
const isComponent = (e: PlanEntry) => e.type.startsWith("flannel-to-calico:");
const categoryOf = (e: PlanEntry): Category =>
    isProvider(e) ? "provider" : isK8s(e) ? "kubernetes" : e.type === "command:remote:Command" ? "node" : "other";

function identity(e: PlanEntry): { key: string; label: string } {
    if (!isK8s(e)) return { key: e.urn, label: e.name };
    const api = String(e.inputs.apiVersion ?? "");
    const group = api.includes("/") ? api.split("/")[0] : "core";
    const meta = (e.inputs.metadata ?? {}) as { name?: string; namespace?: string };
    const ns = meta.namespace ?? "";
    return {
        key: `${group}|${e.inputs.kind}|${ns}|${meta.name}`,
        label: `${group} ${e.inputs.kind} ${ns ? `${ns}/` : ""}${meta.name}`,
    };
}

/** A provider reference in a plan is `<urn>::<id>`. */
export const providerUrn = (ref?: string) => (ref ? ref.replace(/::[^:]*$/, "") : "");

export function diffPlans(base: readonly PlanEntry[], head: readonly PlanEntry[]): PlanDiff {
    const before = new Map(base.map((e) => [identity(e).key, e]));
    const after = new Map(head.map((e) => [identity(e).key, e]));
    const providersBefore = new Map(base.filter(isProvider).map((e) => [e.urn, e]));
    const providersAfter = new Map(head.filter(isProvider).map((e) => [e.urn, e]));
    const replacedProviders = new Map<string, string>();
    for (const [urn, p] of providersAfter) {
        const v = providerVerdict(providersBefore.get(urn), p);
        if (v.action === "replace" && v.why) replacedProviders.set(urn, `its provider is replaced: ${v.why}`);
    }
    const labels = new Map<string, string>();
    for (const e of [...base, ...head]) labels.set(e.urn, identity(e).label);
    const deps = (e: PlanEntry) => JSON.stringify(e.dependsOn.map((u) => labels.get(u) ?? u).sort());

    const changes: ResourceChange[] = [];
    const dependsOnOnly: string[] = [];
    const nodesRerun = new Map<string, string[]>();
    for (const key of new Set([...before.keys(), ...after.keys()])) {
        const b = before.get(key);
        const a = after.get(key);
        const e = (a ?? b) as PlanEntry;
        // Components have no inputs of their own: what changes is their children.
        if (isComponent(e)) continue;
        const verdict = isProvider(e)
            ? providerVerdict(b, a)
            : classify(b, a, {
                  provider: providersAfter.get(providerUrn(e.provider)),
                  providerReplaced: a && b ? replacedProviders.get(providerUrn(a.provider)) : undefined,
              });
        const label = identity(e).label;
        if (verdict.action === "same") {
            if (a && b && deps(a) !== deps(b)) dependsOnOnly.push(label);
            continue;
        }
        changes.push({ category: categoryOf(e), label, verdict });
        const cmd = categoryOf(e) === "node" && verdict.action !== "delete" ? nodeCommandOf(e.name) : undefined;
        if (cmd) nodesRerun.set(cmd.node, [...(nodesRerun.get(cmd.node) ?? []), cmd.command]);
    }
    return { changes, nodesRerun, dependsOnOnly, guard: guardHits(changes, base, head) };
}

function guardHits(
    changes: readonly ResourceChange[],
    base: readonly PlanEntry[],
    head: readonly PlanEntry[],
): GuardHit[] {
    const hits: GuardHit[] = [];
    for (const c of changes) {
        const v = c.verdict;
        if (v.refused) hits.push({ label: c.label, action: v.action, why: `${v.why ?? ""}; ${v.refused}` });
        else if (c.category === "provider" && v.action === "replace") {
            hits.push({
                label: c.label,
                action: "replace",
                why: `${v.why}; every object it manages is replaced with it`,
            });
        }
    }
    const headByKey = new Map(head.map((e) => [identity(e).key, e]));
    for (const b of base.filter((e) => e.protect)) {
        const a = headByKey.get(identity(b).key);
        if (a && !a.protect) {
            hits.push({
                label: identity(b).label,
                action: "update",
                why: "it is no longer protected: a later change could delete it",
            });
        }
    }
    return hits;
}

/** How many resources of a category get each action. */
export function countsOf(d: PlanDiff, category: Category): Record<Exclude<Action, "same">, number> {
    const n = (action: Action) =>
        d.changes.filter((c) => c.category === category && c.verdict.action === action).length;
    return { create: n("create"), update: n("update"), replace: n("replace"), delete: n("delete") };
}
