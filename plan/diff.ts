/**
 * Compares two offline plans (their resources.json) and renders a short
 * Markdown summary for a pull-request comment. Pure functions.
 *
 * Kubernetes objects are matched by identity (group, kind, namespace, name),
 * not URN, so an apiVersion change (CRDs v1beta1 -> v1) is a change, not a
 * delete and a create. A change of dependsOn alone is mentioned, not counted.
 */
import { nodeStepOf } from "../identity";

export interface PlanEntry {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly dependsOn: readonly string[];
    readonly protect: boolean;
    readonly inputs: Record<string, unknown>;
}

export type Change = "added" | "changed" | "removed";

export interface ObjectDiff {
    readonly change: Change;
    /** "apps DaemonSet kube-system/calico-node" */
    readonly label: string;
    readonly fields: readonly string[];
}

export interface ProtectedHit {
    readonly label: string;
    readonly action: "delete" | "replace";
    readonly why: string;
}

export interface PlanDiff {
    readonly kubernetes: readonly ObjectDiff[];
    readonly scripts: readonly ObjectDiff[];
    /** Node name -> steps that would run again. */
    readonly nodesRerun: ReadonlyMap<string, readonly string[]>;
    readonly dependsOnOnly: readonly string[];
    readonly protectedHits: readonly ProtectedHit[];
}

const isK8s = (e: PlanEntry) => e.type.startsWith("kubernetes:") && !e.type.startsWith("pulumi:providers:");
const isScript = (e: PlanEntry) => e.type === "command:remote:Command";

function identity(e: PlanEntry): { key: string; label: string } {
    const api = String(e.inputs.apiVersion ?? "");
    const group = api.includes("/") ? api.split("/")[0] : "core";
    const meta = (e.inputs.metadata ?? {}) as { name?: string; namespace?: string };
    const ns = meta.namespace ?? "";
    return {
        key: `${group}|${e.inputs.kind}|${ns}|${meta.name}`,
        label: `${group} ${e.inputs.kind} ${ns ? `${ns}/` : ""}${meta.name}`,
    };
}

/** Paths of the leaves that differ between two values. */
export function changedPaths(a: unknown, b: unknown, p = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
        const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
        return keys.flatMap((k) =>
            changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], p ? `${p}.${k}` : k),
        );
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
        return a.flatMap((x, i) => changedPaths(x, b[i], `${p}[${i}]`));
    }
    return [p || "(root)"];
}

/** Immutable fields of protected kinds: changing them replaces the object. */
const IMMUTABLE: Record<string, readonly string[]> = {
    IPPool: ["spec.cidr", "spec.blockSize"],
    DaemonSet: ["spec.selector"],
    Deployment: ["spec.selector"],
};

function get(o: unknown, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined), o);
}

export function diffPlans(base: readonly PlanEntry[], head: readonly PlanEntry[]): PlanDiff {
    const kubernetes: ObjectDiff[] = [];
    const scripts: ObjectDiff[] = [];
    const nodesRerun = new Map<string, string[]>();
    const dependsOnOnly: string[] = [];
    const protectedHits: ProtectedHit[] = [];
    const urnLabel = new Map<string, string>();
    for (const e of [...base, ...head]) urnLabel.set(e.urn, isK8s(e) ? identity(e).label : e.name);
    const depLabels = (e: PlanEntry) => e.dependsOn.map((u) => urnLabel.get(u) ?? u).sort();

    const compare = (
        kind: "k8s" | "script",
        key: (e: PlanEntry) => { key: string; label: string },
        out: ObjectDiff[],
    ) => {
        const pick = kind === "k8s" ? isK8s : isScript;
        const b = new Map(base.filter(pick).map((e) => [key(e).key, e]));
        const h = new Map(head.filter(pick).map((e) => [key(e).key, e]));
        for (const [k, be] of b) {
            const label = key(be).label;
            const he = h.get(k);
            if (!he) {
                out.push({ change: "removed", label, fields: [] });
                if (be.protect)
                    protectedHits.push({
                        label,
                        action: "delete",
                        why: "it is gone from the plan (removed, or its group/kind/namespace/name changed)",
                    });
                continue;
            }
            const fields = changedPaths(be.inputs, he.inputs).filter(
                (f) => !(kind === "k8s" && f === "apiVersion" && be.type !== he.type),
            );
            const apiChanged = kind === "k8s" && be.inputs.apiVersion !== he.inputs.apiVersion;
            if (fields.length || apiChanged) {
                out.push({
                    change: "changed",
                    label,
                    fields: apiChanged
                        ? [
                              `apiVersion ${be.inputs.apiVersion} -> ${he.inputs.apiVersion}`,
                              ...fields.filter((f) => f !== "apiVersion"),
                          ]
                        : fields,
                });
                if (be.protect) {
                    for (const f of IMMUTABLE[String(be.inputs.kind)] ?? []) {
                        const before = get(be.inputs, f);
                        const after = get(he.inputs, f);
                        if (JSON.stringify(before) !== JSON.stringify(after)) {
                            protectedHits.push({
                                label,
                                action: "replace",
                                why: `${f} cannot change in place (${JSON.stringify(before)} -> ${JSON.stringify(after)})`,
                            });
                        }
                    }
                }
                if (kind === "script") {
                    const ns = nodeStepOf(be.name);
                    if (ns) nodesRerun.set(ns.node, [...(nodesRerun.get(ns.node) ?? []), ns.stepName]);
                }
            } else if (JSON.stringify(depLabels(be)) !== JSON.stringify(depLabels(he))) {
                dependsOnOnly.push(label);
            }
            if (be.protect && !he.protect)
                protectedHits.push({
                    label,
                    action: "delete",
                    why: "it is no longer protected: a later change could delete it",
                });
        }
        for (const [k, he] of h)
            if (!b.has(k)) {
                out.push({ change: "added", label: key(he).label, fields: [] });
                if (kind === "script") {
                    const ns = nodeStepOf(he.name);
                    if (ns) nodesRerun.set(ns.node, [...(nodesRerun.get(ns.node) ?? []), ns.stepName]);
                }
            }
    };
    compare("k8s", identity, kubernetes);
    compare("script", (e) => ({ key: e.name, label: e.name }), scripts);
    // Other resources (gates, components, providers): only dependsOn changes are worth a mention.
    const other = (e: PlanEntry) => !isK8s(e) && !isScript(e);
    const ob = new Map(base.filter(other).map((e) => [e.urn, e]));
    for (const he of head.filter(other)) {
        const be = ob.get(he.urn);
        if (
            be &&
            JSON.stringify(depLabels(be)) !== JSON.stringify(depLabels(he)) &&
            JSON.stringify(be.inputs) === JSON.stringify(he.inputs)
        )
            dependsOnOnly.push(he.name);
    }
    return { kubernetes, scripts, nodesRerun, dependsOnOnly, protectedHits };
}

/** GitHub's limit for a comment body. */
export const COMMENT_LIMIT = 65536;

export interface RenderOptions {
    readonly stack: string;
    readonly base: string;
    /** The PR carries the override label: protected changes are allowed. */
    readonly allowProtected?: boolean;
    /** Budget for the whole text; lists are cut to fit. Default: 60000. */
    readonly maxChars?: number;
}

const count = (xs: readonly ObjectDiff[], c: Change) => xs.filter((x) => x.change === c).length;

export function renderMarkdown(d: PlanDiff, o: RenderOptions): string {
    const max = o.maxChars ?? 60000;
    const head: string[] = [];
    head.push(`<!-- flannel-to-calico plan-diff: ${o.stack} -->`);
    head.push(`### Plan diff: stack \`${o.stack}\` (\`${o.base}\` -> this branch)`, "");
    head.push("| | added | changed | removed |", "|---|---:|---:|---:|");
    head.push(
        `| Kubernetes objects | ${count(d.kubernetes, "added")} | ${count(d.kubernetes, "changed")} | ${count(d.kubernetes, "removed")} |`,
    );
    head.push(
        `| Node scripts | ${count(d.scripts, "added")} | ${count(d.scripts, "changed")} | ${count(d.scripts, "removed")} |`,
    );
    head.push("");
    if (d.protectedHits.length) {
        head.push(o.allowProtected ? "> [!WARNING]" : "> [!CAUTION]");
        head.push(
            `> **${d.protectedHits.length} change(s) would delete or replace a protected object** (CRDs, the IPPool, calico-config, calico-node: losing them takes the cluster's network down or loses IPAM data).${o.allowProtected ? " The override label is set." : " The guard fails this pull request unless it carries the `allow-protected-change` label."}`,
        );
        for (const h of d.protectedHits.slice(0, 50))
            head.push(`> - **${h.action.toUpperCase()}** \`${h.label}\`: ${h.why}`);
        if (d.protectedHits.length > 50) head.push(`> - ... and ${d.protectedHits.length - 50} more`);
        head.push("");
    }
    if (!d.kubernetes.length && !d.scripts.length && !d.dependsOnOnly.length) head.push("No changes.", "");

    // Lists fill what remains of the budget; each is cut with "... and N more".
    const sections: { title: string; items: string[] }[] = [];
    const k8sItems = d.kubernetes.map(
        (x) =>
            `- ${x.change}: \`${x.label}\`${
                x.fields.length
                    ? ` — ${x.fields
                          .slice(0, 12)
                          .map((f) => `\`${f}\``)
                          .join(", ")}${x.fields.length > 12 ? `, ... (${x.fields.length - 12} more)` : ""}`
                    : ""
            }`,
    );
    if (k8sItems.length) sections.push({ title: "#### Kubernetes objects", items: k8sItems });
    const nodes = [...d.nodesRerun.entries()].sort(([a], [b]) => a.localeCompare(b));
    if (nodes.length)
        sections.push({
            title: `#### Nodes whose preparation would run again (${nodes.length})`,
            items: nodes.map(([n, steps]) => `- \`${n}\`: ${steps.join(", ")}`),
        });
    const removedScripts = d.scripts.filter((x) => x.change === "removed");
    if (removedScripts.length)
        sections.push({
            title: "#### Node scripts removed (nothing is undone on those nodes)",
            items: removedScripts.map((x) => `- \`${x.label}\``),
        });
    if (d.dependsOnOnly.length)
        sections.push({
            title: "#### Dependencies only (not counted: no inputs change)",
            items: d.dependsOnOnly.map((x) => `- \`${x}\``),
        });

    let text = head.join("\n");
    for (const s of sections) {
        const room = max - text.length - s.title.length - 200;
        if (room <= 0) break;
        const lines: string[] = [];
        let used = 0;
        for (const [i, it] of s.items.entries()) {
            if (used + it.length + 1 > room) {
                lines.push(`- ... and ${s.items.length - i} more`);
                break;
            }
            lines.push(it);
            used += it.length + 1;
        }
        text += `\n${s.title}\n\n${lines.join("\n")}\n`;
    }
    return text.length > COMMENT_LIMIT ? `${text.slice(0, COMMENT_LIMIT - 40)}\n\n(cut to fit a comment)\n` : text;
}
