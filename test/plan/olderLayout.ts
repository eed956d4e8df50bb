/** A plan of this layout rewritten as the older tools/plan.ts wrote it, for tests of the plan diff. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanEntry } from "../../plan/diff";
import { readPlan, ScriptTexts } from "../../plan/read";
import { isScriptRef } from "../../plan/scripts";

/** The same plan as the older tools/plan.ts wrote it: one pretty-printed array, every script inline. */
export async function asOlderLayout(
    dir: string,
    edit: (e: PlanEntry) => PlanEntry = (e) => e,
    out = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-older-")),
): Promise<string> {
    const texts = new ScriptTexts(dir);
    const inline = (v: unknown): unknown =>
        isScriptRef(v)
            ? texts.text(v)
            : Array.isArray(v)
              ? v.map(inline)
              : v && typeof v === "object"
                ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inline(x)]))
                : v;
    const fd = fs.openSync(path.join(out, "resources.json"), "w");
    let n = 0;
    for (const e of await readPlan(dir)) {
        const old = edit({ ...e, inputs: inline(e.inputs) as Record<string, unknown> });
        fs.writeSync(fd, (n++ === 0 ? "[\n" : ",\n") + JSON.stringify(old, null, 2));
    }
    fs.writeSync(fd, n === 0 ? "[]\n" : "\n]\n");
    fs.closeSync(fd);
    fs.writeFileSync(path.join(out, "summary.md"), "");
    return out;
}
