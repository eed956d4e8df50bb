/** The plan diff as a pull-request comment: counts by action, the guard, then each change with old -> new values. */
import { Category, countsOf, PlanDiff, ResourceChange } from "./diff";
import { FieldChange } from "./rules";
import { isAssetRef, isScriptRef } from "./scripts";

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

const CATEGORIES: [Category, string][] = [
    ["provider", "Providers"],
    ["kubernetes", "Kubernetes objects"],
    ["node", "Node commands"],
];

/** A value as the comment shows it: a script by its file (and params), an asset by its path and sha256. */
const value = (v: unknown) => {
    if (v === undefined) return "(none)";
    if (isScriptRef(v)) {
        const params = Object.entries(v.params ?? {}).map(([k, x]) => `${k}=${x}`);
        return `${v.file}${params.length ? ` (${params.join(", ")})` : ""}`;
    }
    if (isAssetRef(v)) return `${v.asset} asset ${v.path ?? v.uri ?? ""} sha256:${v.sha256 ?? "?"}`;
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function fieldText(f: FieldChange): string {
    const text = `\`${f.path}\` ${value(f.before)} -> ${value(f.after)}`;
    return f.replaces ? `${text} (replaces: ${f.replaces})` : text;
}

function changeText(c: ResourceChange): string {
    const v = c.verdict;
    const head = `- **${v.action}** \`${c.label}\``;
    const why = v.action === "replace" || v.action === "delete" ? `: ${v.why ?? ""}` : "";
    const shown = v.fields.slice(0, 8).map(fieldText);
    const more = v.fields.length > 8 ? [`... (${v.fields.length - 8} more fields)`] : [];
    return `${head}${why}${shown.length ? `\n  - ${[...shown, ...more].join("\n  - ")}` : ""}`;
}

function section(title: string, items: readonly string[], room: number): string {
    const lines: string[] = [];
    let used = 0;
    for (const [i, it] of items.entries()) {
        if (used + it.length + 1 > room) {
            lines.push(`- ... and ${items.length - i} more`);
            break;
        }
        lines.push(it);
        used += it.length + 1;
    }
    return `\n${title}\n\n${lines.join("\n")}\n`;
}

export function renderMarkdown(d: PlanDiff, o: RenderOptions): string {
    const max = o.maxChars ?? 60000;
    const head: string[] = [];
    head.push(`<!-- flannel-to-calico plan-diff: ${o.stack} -->`);
    head.push(`### Plan diff: stack \`${o.stack}\` (\`${o.base}\` -> this branch)`, "");
    head.push("What `pulumi up` would do, by the providers' own rules:", "");
    head.push("| | create | update | replace | delete |", "|---|---:|---:|---:|---:|");
    for (const [cat, title] of CATEGORIES) {
        const n = countsOf(d, cat);
        head.push(`| ${title} | ${n.create} | ${n.update} | ${n.replace} | ${n.delete} |`);
    }
    head.push("");
    if (d.guard.length) {
        head.push(o.allowProtected ? "> [!WARNING]" : "> [!CAUTION]");
        const override = o.allowProtected
            ? " The override label is set."
            : " The guard fails this pull request unless it carries the `allow-protected-change` label.";
        head.push(
            `> **${d.guard.length} change(s) would delete or replace a protected object, or replace the cluster's provider**: ` +
                "`pulumi up` refuses a protected one; losing the CRDs, the IPPool, calico-config or calico-node takes the " +
                `cluster's network down or loses IPAM data.${override}`,
        );
        for (const h of d.guard.slice(0, 50)) head.push(`> - **${h.action.toUpperCase()}** \`${h.label}\`: ${h.why}`);
        if (d.guard.length > 50) head.push(`> - ... and ${d.guard.length - 50} more`);
        head.push("");
    }
    if (!d.changes.length && !d.dependsOnOnly.length) head.push("No changes.", "");

    const sections: [string, string[]][] = [];
    const changesOf = (cat: Category) => d.changes.filter((c) => c.category === cat).map(changeText);
    for (const [cat, title] of CATEGORIES) if (changesOf(cat).length) sections.push([`#### ${title}`, changesOf(cat)]);
    const nodes = [...d.nodesRerun.entries()].sort(([a], [b]) => a.localeCompare(b));
    if (nodes.length) {
        const items = nodes.map(([n, steps]) => `- \`${n}\`: ${steps.join(", ")}`);
        sections.push([`#### Nodes where a step runs again (${nodes.length})`, items]);
    }
    if (d.dependsOnOnly.length) {
        sections.push(["#### Dependencies only (nothing runs)", d.dependsOnOnly.map((x) => `- \`${x}\``)]);
    }
    let text = head.join("\n");
    for (const [title, items] of sections) {
        const room = max - text.length - title.length - 200;
        if (room <= 0) break;
        text += section(title, items, room);
    }
    return text.length > COMMENT_LIMIT ? `${text.slice(0, COMMENT_LIMIT - 40)}\n\n(cut to fit a comment)\n` : text;
}
