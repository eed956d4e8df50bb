/** Script references: templates that give back the exact text, and which inputs of which resources are scripts. */
import * as assert from "assert";
import { withScriptRefs } from "../../plan/entry";
import { fill, isScriptRef, LONG_STRING, ScriptRef, templatize } from "../../plan/scripts";

describe("script references", () => {
    it("template a text on the node's name and fill it back byte for byte", () => {
        const text = "#!/bin/sh\n# for node node-1\nNODE='node-1'\necho node-1 node-10\n";
        const t = templatize(text, { node: "node-1" });
        assert.strictEqual(t.template, "#!/bin/sh\n# for node {{node}}\nNODE='{{node}}'\necho {{node}} {{node}}0\n");
        assert.deepStrictEqual(t.params, { node: "node-1" });
        assert.strictEqual(fill(t.template, t.params), text);
    });
    it("keep a text whole, without params, when its node's name is not in it", () => {
        assert.deepStrictEqual(templatize("exit 0", { node: "node-1" }), { template: "exit 0", params: {} });
        assert.deepStrictEqual(templatize("exit 0", {}), { template: "exit 0", params: {} });
    });
    it("keep a text whole when filling would not give it back (it has the placeholder itself)", () => {
        const text = "echo '{{node}}' for node-1";
        const t = templatize(text, { node: "node-1" });
        assert.deepStrictEqual(t, { template: text, params: {} });
        assert.strictEqual(fill(t.template, t.params), text);
    });
    it("give back any text exactly, whatever the node's name", () => {
        const names = ["a", "n", "{", "}", "{{", "node", "x-1", "é", "$NODE", "\\"];
        const texts = ["", "a", "{{n}}", "}{{node}}{", "aaa{a}a", "node {{ node }}", "é\\$NODE\\", "{{nodenode}}"];
        for (const name of names)
            for (const text of texts) {
                const t = templatize(text, { node: name });
                assert.strictEqual(fill(t.template, t.params), text, `${JSON.stringify(text)} for ${name}`);
            }
    });

    it("give back random texts and names over the placeholder's own characters exactly", () => {
        let seed = 7;
        const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
        const word = (max: number) => Array.from({ length: rnd(max) }, () => "{}node"[rnd(6)]).join("");
        for (let i = 0; i < 20000; i++) {
            const [text, name] = [word(24), word(5)];
            const t = templatize(text, { node: name });
            assert.strictEqual(fill(t.template, t.params), text, `${JSON.stringify(text)} for ${JSON.stringify(name)}`);
        }
    });

    const ref = (text: string): ScriptRef => ({ file: `scripts/${text.length}.sh`, sha256: String(text.length) });
    it("make a command's create, update and delete references, short or long, and leave other small inputs", () => {
        const inputs = {
            create: "exit 0",
            update: "x".repeat(5000),
            delete: "true",
            logging: "stderr",
            triggers: ["abc"],
        };
        const out = withScriptRefs("command:remote:Command", inputs, ref) as Record<string, unknown>;
        for (const k of ["create", "update", "delete"]) assert.ok(isScriptRef(out[k]), k);
        assert.strictEqual(out.logging, "stderr");
        assert.deepStrictEqual(out.triggers, ["abc"]);
    });
    it("make any long string of a command a reference (an environment value), at any depth", () => {
        const long = "y".repeat(LONG_STRING + 1);
        const out = withScriptRefs("command:local:Command", { environment: { LIB: long, SHORT: "1" } }, ref) as {
            environment: Record<string, unknown>;
        };
        assert.ok(isScriptRef(out.environment.LIB));
        assert.strictEqual(out.environment.SHORT, "1");
    });
    it("leave a Kubernetes object's strings inline, however long", () => {
        const inputs = { data: { cni_network_config: "z".repeat(5000) } };
        assert.deepStrictEqual(withScriptRefs("kubernetes:core/v1:ConfigMap", inputs, ref), inputs);
    });
    it("turn a string asset's text into a script reference and keep a file asset as it is", () => {
        const out = withScriptRefs(
            "command:remote:CopyToRemote",
            { source: { asset: "string", text: "NODE=n1\n" }, other: { asset: "file", path: "lib.tar", sha256: "ab" } },
            ref,
        ) as Record<string, unknown>;
        assert.deepStrictEqual(out.source, { asset: "string", file: "scripts/8.sh", sha256: "8" });
        assert.deepStrictEqual(out.other, { asset: "file", path: "lib.tar", sha256: "ab" });
    });
});
