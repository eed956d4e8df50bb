/** Large plan files read piece by piece: JSON Lines, and the elements of a JSON array fed in chunks. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jsonArrayItems, JsonArraySplitter, lines } from "../../plan/stream";

const TRICKY = [
    { a: "brackets ] } [ { and , commas", b: ['quote " and \\\\ backslash', "\\"], c: { d: [1, 2, { e: null }] } },
    "a string element with ] and ,",
    42,
    -1.5e3,
    true,
    null,
    [],
    {},
    { unicode: "é – 日本 😀", newline: "a\nb" },
];

const split = (text: string, at: number[]) => {
    const s = new JsonArraySplitter();
    const out: string[] = [];
    let from = 0;
    for (const cut of [...at, text.length]) {
        out.push(...s.push(text.slice(from, cut)));
        from = cut;
    }
    s.end();
    return out.map((t) => JSON.parse(t) as unknown);
};

describe("reading large plan files", () => {
    it("splits a JSON array into its elements, however the text is cut into chunks", () => {
        for (const text of [
            JSON.stringify(TRICKY),
            JSON.stringify(TRICKY, null, 2),
            ` [ ${TRICKY.map((x) => JSON.stringify(x)).join(" ,\n")} ] `,
        ]) {
            for (let cut = 0; cut <= text.length; cut++)
                assert.deepStrictEqual(split(text, [cut]), TRICKY, `cut at ${cut}`);
            assert.deepStrictEqual(
                split(
                    text,
                    Array.from({ length: text.length }, (_, i) => i),
                ),
                TRICKY,
            );
        }
        assert.deepStrictEqual(split("[]", [1]), []);
    });
    it("refuses an array cut short", () => {
        const s = new JsonArraySplitter();
        s.push('[{"a": 1}, {"b": "x');
        assert.throws(() => s.end(), /cut short/);
    });
    it("reads JSON Lines and a JSON array from files, line ends of either kind", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-stream-"));
        try {
            const big = "x".repeat(3 << 20);
            fs.writeFileSync(path.join(dir, "a.jsonl"), `{"a":1}\r\n\n{"b":"${big}"}\n{"c":"é"}`);
            const got: string[] = [];
            for await (const l of lines(path.join(dir, "a.jsonl"))) got.push(l);
            assert.deepStrictEqual(
                got.map((l) => Object.keys(JSON.parse(l) as object)[0]),
                ["a", "b", "c"],
            );
            fs.writeFileSync(path.join(dir, "a.json"), JSON.stringify([...TRICKY, big, ...TRICKY], null, 2));
            const items: unknown[] = [];
            for await (const x of jsonArrayItems(path.join(dir, "a.json"))) items.push(x);
            assert.deepStrictEqual(items, [...TRICKY, big, ...TRICKY]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
