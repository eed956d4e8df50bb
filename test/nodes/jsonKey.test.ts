/**
 * json_key (lib.sh): the daemon.json edit the docker step makes on nodes that
 * have no jq. Run with this machine's awk, and busybox's when it is there
 * (CentOS 7 has gawk, Debian mawk, small images busybox).
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { splitLib } from "../../nodes/library";

const LIB = fs.readFileSync(path.join(__dirname, "..", "..", "nodes", "scripts", "lib.sh"), "utf8");
const FN = splitLib(LIB).find((p) => p.name === "json_key")?.text ?? "";
const TUTORIAL = `{
  "live-restore": true,
  "max-concurrent-downloads": 20,
  "data-root": "/data/k8s/docker/data"
}
`;
const awks: [string, string | undefined][] = [["awk", undefined]];
if (spawnSync("sh", ["-c", "command -v busybox"]).status === 0) awks.push(["busybox awk", "busybox"]);

for (const [name, busybox] of awks) {
    describe(`json_key (${name})`, () => {
        let dir: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-json-"));
            if (busybox)
                fs.symlinkSync(execFileSync("sh", ["-c", "command -v busybox"]).toString().trim(), `${dir}/awk`);
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        const run = (text: string, ...args: string[]) => {
            fs.writeFileSync(`${dir}/daemon.json`, text);
            const r = spawnSync("bash", ["-c", `${FN}\njson_key "$1" "${dir}/daemon.json" "$2" "$3"`, "t", ...args], {
                encoding: "utf8",
                env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
            });
            return { code: r.status, out: r.stdout };
        };

        it("adds bip to the tutorial's daemon.json first, keeping every other byte", () => {
            const r = run(TUTORIAL, "set", "bip", "172.17.0.1/16");
            assert.strictEqual(r.code, 0);
            assert.strictEqual(r.out, TUTORIAL.replace("{\n", '{\n  "bip": "172.17.0.1/16",\n'));
            assert.deepStrictEqual(JSON.parse(r.out), { bip: "172.17.0.1/16", ...JSON.parse(TUTORIAL) });
        });
        it("replaces a top-level bip in place, not a nested one", () => {
            const r = run('{"x": {"bip": "n"}, "bip": "172.30.8.1/21", "s": "a\\"}b"}', "set", "bip", "172.17.0.1/16");
            assert.strictEqual(r.out, '{"x": {"bip": "n"}, "bip": "172.17.0.1/16", "s": "a\\"}b"}\n');
        });
        it("reads a key, and nothing for an absent key, an empty file or none", () => {
            assert.deepStrictEqual(run('{"bip": "172.30.8.1/21"}', "get", "bip"), { code: 0, out: "172.30.8.1/21\n" });
            assert.deepStrictEqual(run(TUTORIAL, "get", "bip"), { code: 0, out: "" });
            assert.deepStrictEqual(run("", "get", "bip"), { code: 0, out: "" });
        });
        it("sets a key in an empty object", () => {
            assert.deepStrictEqual(JSON.parse(run("{}", "set", "bip", "10.1.0.1/24").out), { bip: "10.1.0.1/24" });
        });
        it("exits 2 on what is not one JSON object, and 3 on a bip twice or not a string", () => {
            for (const bad of ["[1]", '{"a": 1,}', '{"a" 1}', '{"a": 1} x', '{"a": [1}', '{"a": "x', "{"])
                assert.strictEqual(run(bad, "get", "bip").code, 2, bad);
            for (const bad of ['{"bip": "a", "bip": "b"}', '{"bip": 12}', '{"bip": {"a": 1}}'])
                assert.strictEqual(run(bad, "set", "bip", "10.1.0.1/24").code, 3, bad);
        });
    });
}
