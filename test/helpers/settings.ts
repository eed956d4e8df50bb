/** Settings assertions shared by the settings tests. */
import * as assert from "assert";
import { loadSettings, RawConfig, Settings } from "../../settings";

export const up = { stack: "dev", dryRun: false };
export const preview = { stack: "dev", dryRun: true };

export function ok(raw: RawConfig, ctx = up): Settings {
    const r = loadSettings(raw, ctx);
    if (!r.ok) assert.fail(`expected valid settings, got:\n${r.problems.join("\n")}`);
    return r.settings;
}
export function problems(raw: RawConfig, ctx = up): string[] {
    const r = loadSettings(raw, ctx);
    assert.ok(!r.ok, "expected the config to be rejected");
    return [...r.problems];
}
/** At least one problem names `keyText`, and together they contain every fragment. */
export function rejects(raw: RawConfig, keyText: string, ...fragments: string[]): string {
    const ps = problems(raw);
    const hits = ps.filter((p) => p.startsWith(`flannel-to-calico:${keyText} `));
    assert.ok(hits.length >= 1, `no problem names ${keyText}; got:\n${ps.join("\n")}`);
    for (const f of fragments)
        assert.ok(
            hits.some((h) => h.includes(f)),
            `no problem for ${keyText} mentions "${f}"; got:\n${hits.join("\n")}`,
        );
    return hits[0];
}
