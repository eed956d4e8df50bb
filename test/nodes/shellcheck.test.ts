/** shellcheck on the node scripts exactly as the component registers them. */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSettings } from "../helpers/mocks";
import { settingsOf } from "../helpers/config";
import { needsManifests } from "../setup";

describe("shellcheck", () => {
    before(function () {
        needsManifests(this);
    });
    it("passes every rendered script and the bash body inside it", async () => {
        const s = settingsOf({}, { stack: "sc" });
        const { regs } = await buildSettings(s);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-sc-"));
        try {
            const files: string[] = [];
            for (const r of regs.filter(
                (x) => x.type === "command:remote:Command" && x.name.startsWith("zhangjun-k8s01-"),
            )) {
                const script = String(r.inputs.create);
                const lines = script.split("\n");
                const body = lines
                    .slice(
                        lines.indexOf("F2C_BODY=$(cat <<'F2C_END_OF_SCRIPT'") + 1,
                        lines.indexOf("F2C_END_OF_SCRIPT"),
                    )
                    .join("\n");
                fs.writeFileSync(path.join(dir, `${r.name}.sh`), script);
                fs.writeFileSync(path.join(dir, `${r.name}.body.bash`), `#!/bin/bash\n${body}\n`);
                files.push(path.join(dir, `${r.name}.sh`), path.join(dir, `${r.name}.body.bash`));
            }
            assert.strictEqual(files.length, 12);
            try {
                execFileSync("shellcheck", files, { encoding: "utf8" });
            } catch (e) {
                assert.fail(`shellcheck:\n${(e as { stdout?: string }).stdout}`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
