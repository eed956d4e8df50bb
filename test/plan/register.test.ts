/** plan/register.js, the loader of npm run plan: TypeScript transpiled once per source text, then read from a cache. */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const LOADED_TS = `process.stdout.write(String(Object.keys(require.cache).some((k) => /typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(k))))`;

function run(cache: string, code: string): string {
    const r = spawnSync(process.execPath, ["-r", "./plan/register.js", "-e", code], {
        cwd: ROOT,
        env: { ...process.env, F2C_TS_CACHE: cache },
        encoding: "utf8",
    });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout;
}

describe("the plan tools' loader (plan/register.js)", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-loader-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("transpiles a source once: from a clean clone it fills the cache, then TypeScript is not loaded", () => {
        const cache = path.join(dir, "cache");
        assert.strictEqual(run(cache, `require("./plan/scripts.ts"); ${LOADED_TS}`), "true");
        assert.ok(fs.readdirSync(cache).length >= 1);
        assert.strictEqual(run(cache, `require("./plan/scripts.ts"); ${LOADED_TS}`), "false");
    });
    it("runs a changed source, never a stale one", () => {
        const cache = path.join(dir, "cache");
        const file = path.join(dir, "m.ts");
        const code = `process.stdout.write(String(require(${JSON.stringify(file)}).n))`;
        fs.writeFileSync(file, "export const n: number = 1;\n");
        assert.strictEqual(run(cache, code), "1");
        fs.writeFileSync(file, "export const n: number = 2;\n");
        assert.strictEqual(run(cache, code), "2");
    });
});
