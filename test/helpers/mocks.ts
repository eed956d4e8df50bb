/** Builds the program under mocks and returns every registration, in order. */
import { RawConfig, requireSettings, Settings } from "../../settings";
import { buildMigration, Migration } from "../../program";
import { installPlanMonitor, Registration, settled, withoutStackTraces } from "../../plan/monitor";

export interface Built {
    readonly settings: Settings;
    readonly regs: Registration[];
    readonly migration: Migration;
}

export async function build(raw: RawConfig, stack = "test", dryRun = true): Promise<Built> {
    const settings = requireSettings(raw, { stack, dryRun });
    return buildSettings(settings);
}

export async function buildSettings(settings: Settings): Promise<Built> {
    const regs: Registration[] = [];
    installPlanMonitor((r) => regs.push(r), { project: "flannel-to-calico", stack: settings.stack, preview: true });
    return withoutStackTraces(async () => {
        const migration = await buildMigration(settings);
        await settled();
        return { settings, regs, migration };
    });
}

export function byName(regs: readonly Registration[], type: string, name: string): Registration {
    const r = regs.find((x) => x.type === type && x.name === name);
    if (!r)
        throw new Error(
            `no ${type} named ${name}; have: ${regs
                .map((x) => `${x.type}::${x.name}`)
                .slice(0, 40)
                .join(", ")}`,
        );
    return r;
}

export function byUrn(regs: readonly Registration[]): Map<string, Registration> {
    return new Map(regs.map((r) => [r.urn, r]));
}

/** Every URN reachable from `urn` through dependsOn (transitively). */
export function ancestors(regs: readonly Registration[], urn: string): Set<string> {
    const m = byUrn(regs);
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length) {
        const u = stack.pop()!;
        for (const d of m.get(u)?.dependsOn ?? [])
            if (!seen.has(d)) {
                seen.add(d);
                stack.push(d);
            }
    }
    return seen;
}
