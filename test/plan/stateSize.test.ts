/** State per node, estimated from what the program registers (plan/stateSize.ts). */
import * as assert from "assert";
import { nodeState } from "../../plan/stateSize";
import { STEPS } from "../../nodes/steps";
import { build } from "../helpers/mocks";
import { generatedRaw } from "../helpers/config";

describe("state per node", () => {
    it("is at most three resources and under 5 KB without the connection", async () => {
        const { regs, migration } = await build(generatedRaw(100));
        const st = nodeState(regs, "node-0042");
        assert.strictEqual(st.resources, 3);
        assert.ok(st.withoutConnection < 5000, `${st.withoutConnection} bytes`);
        // The layout before (six commands, each script in create, update and triggers' hash, inputs and outputs):
        const scripts = STEPS.map((s) => migration.nodes.stepScript("node-0042", s));
        const before = scripts.reduce((n, s) => n + 2 * (2 * Buffer.byteLength(JSON.stringify(s)) + 64 + 20) + 700, 0);
        process.stderr.write(
            `      per node: ${st.withoutConnection} B without the connection, ${st.withoutConnection + st.connection} B with it ` +
                `(before: ~${before} B without it, six commands)\n`,
        );
        assert.ok(before > 10 * st.withoutConnection, "the scripts' text is what left the state");
    });
});
