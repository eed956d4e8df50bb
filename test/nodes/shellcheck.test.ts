/** shellcheck on what runs on a node: every registered command, the shipped library, each step's bash program. */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stepProgram } from "../../nodes/render";
import { STEPS } from "../../nodes/steps";
import { buildSettings } from "../helpers/mocks";
import { settingsOf } from "../helpers/config";

describe("shellcheck", () => {
    it("passes every registered command, the shipped library and each step's bash program", async () => {
        const s = settingsOf({}, { stack: "sc" });
        const { regs, migration } = await buildSettings(s);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-sc-"));
        try {
            const files: string[] = [];
            const write = (name: string, text: string) => {
                fs.writeFileSync(path.join(dir, name), text);
                files.push(path.join(dir, name));
            };
            for (const r of regs.filter(
                (x) => x.type === "command:remote:Command" && x.name.startsWith("zhangjun-k8s01-"),
            ))
                // The login shell runs a command: check it as POSIX sh, the strictest it may be.
                write(`${r.name}.sh`, `#!/bin/sh\n${String(r.inputs.create)}`);
            write("library.sh", migration.nodes.library.text);
            for (const step of STEPS) write(`${step}.bash`, `#!/bin/bash\n${stepProgram(step)}`);
            assert.strictEqual(files.length, 2 + 1 + STEPS.length);
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
