/**
 * npm run bench's arithmetic and its table: medians of interleaved runs, and
 * one Markdown table with this tree ("after"), another checkout ("before")
 * and the SDK-only floor side by side. Pure.
 */

/** One run of one process. */
export interface Sample {
    readonly wallMs: number;
    /** User + system CPU of the process. */
    readonly cpuMs?: number;
    readonly rssMiB?: number;
    /** Why the run failed (it then has no figures worth a median). */
    readonly failed?: string;
}

export function median(xs: readonly number[]): number | undefined {
    if (!xs.length) return undefined;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The medians of the runs that succeeded, or the first failure. */
export interface Summary {
    readonly runs: number;
    readonly wallMs?: number;
    readonly cpuMs?: number;
    readonly rssMiB?: number;
    readonly failed?: string;
}

export function summarize(samples: readonly Sample[]): Summary {
    const ok = samples.filter((s) => !s.failed);
    const failed = samples.find((s) => s.failed)?.failed;
    if (!ok.length) return { runs: samples.length, failed: failed ?? "not run" };
    const of = (k: "wallMs" | "cpuMs" | "rssMiB") =>
        median(ok.map((s) => s[k]).filter((x): x is number => x !== undefined));
    return { runs: samples.length, wallMs: of("wallMs"), cpuMs: of("cpuMs"), rssMiB: of("rssMiB"), failed };
}

/** Every figure of one stack size. */
export interface Row {
    readonly nodes: number;
    readonly resources?: number;
    readonly plan: {
        readonly before?: Summary;
        readonly after?: Summary;
        readonly floor?: Summary;
        /** The floor registering at most 64 resources at once instead of a wave at a time. */
        readonly floor64?: Summary;
    };
    readonly bytes: { readonly before?: number; readonly after?: number };
    readonly diff: { readonly before?: Summary; readonly after?: Summary };
    /** The before plan read by this tree's diff against the after plan: "No changes." expected. */
    readonly crossLayout?: string;
}

const seconds = (ms?: number) => (ms === undefined ? "–" : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`);
const mib = (n?: number) => (n === undefined ? "–" : `${n.toFixed(0)} MiB`);
const size = (b?: number) =>
    b === undefined ? "–" : b < 10 << 20 ? `${(b / 1048576).toFixed(2)} MiB` : mib(b / 1048576);
const failedText = (s: Summary) => `fails (${(s.failed ?? "").slice(0, 60)})`;
const time = (s?: Summary) => (!s ? "–" : s.wallMs === undefined ? failedText(s) : seconds(s.wallMs));
const rss = (s?: Summary) => (!s || s.rssMiB === undefined ? "–" : mib(s.rssMiB));

/** after / floor, on wall time and on CPU time. */
export function ratio(after?: Summary, floor?: Summary): string {
    if (!after?.wallMs || !floor?.wallMs) return "–";
    const cpu = after.cpuMs && floor.cpuMs ? ` (CPU ${(after.cpuMs / floor.cpuMs).toFixed(2)}×)` : "";
    return `${(after.wallMs / floor.wallMs).toFixed(2)}×${cpu}`;
}

/** The bench's one table: plan time and memory (before, after, floor), plan size, diff time. */
export function renderTable(rows: readonly Row[], o: { before?: string; rounds: number }): string {
    const b = o.before ? "before" : undefined;
    const cols = [
        "nodes",
        "resources",
        ...(b ? ["plan before"] : []),
        "plan after",
        "floor",
        "after / floor",
        ...(b ? ["peak RSS before"] : []),
        "peak RSS after",
        "peak RSS floor",
        ...(b ? ["on disk before"] : []),
        "on disk after",
        ...(b ? ["diff before"] : []),
        "diff after",
    ];
    const lines = [`| ${cols.join(" | ")} |`, `|${cols.map(() => "---:").join("|")}|`];
    for (const r of rows) {
        const cells = [
            r.nodes.toLocaleString("en-US"),
            r.resources?.toLocaleString("en-US") ?? "–",
            ...(b ? [time(r.plan.before)] : []),
            time(r.plan.after),
            time(r.plan.floor),
            ratio(r.plan.after, r.plan.floor),
            ...(b ? [rss(r.plan.before)] : []),
            rss(r.plan.after),
            rss(r.plan.floor),
            ...(b ? [size(r.bytes.before)] : []),
            size(r.bytes.after),
            ...(b ? [time(r.diff.before)] : []),
            time(r.diff.after),
        ];
        lines.push(`| ${cells.join(" | ")} |`);
    }
    const cross = rows.filter((r) => r.crossLayout).map((r) => `${r.nodes}: ${r.crossLayout}`);
    const small = rows
        .filter((r) => r.plan.floor64?.wallMs)
        .map((r) => `${r.nodes}: ${time(r.plan.floor64)}, after / it ${ratio(r.plan.after, r.plan.floor64)}`);
    const once = rows.filter((r) => r.plan.after && !r.plan.floor).map((r) => r.nodes);
    const notes = [
        `Medians of ${o.rounds} interleaved round(s), each run its own process; times are wall clock (CPU ratio in parentheses).`,
        ...(once.length
            ? [`${once.join(", ")} nodes (diff only): the plans' figures are of one run, without a floor.`]
            : []),
        ...(o.before ? [`before: ${o.before}; after: this tree.`] : []),
        "floor: the after plan's own registrations replayed through the SDK under the same mocks (tools/floor.ts), " +
            "each once the gates it depends on are registered, as the program registers a wave once the last one's gate is.",
        ...(small.length
            ? [`The floor registering at most 64 resources at once instead of a wave at a time: ${small.join("; ")}.`]
            : []),
        "diff: plan:diff of the stack against itself with Calico v3.26.5 -> v3.32.1 (every node's preflight changes).",
        ...(cross.length
            ? [`The before plan read by this tree's plan:diff against the after plan: ${cross.join("; ")}.`]
            : []),
    ];
    return `${lines.join("\n")}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`;
}
