"use strict";
/**
 * The loader of the plan's command-line tools (`node -r ./plan/register.js tools/plan.ts`):
 * TypeScript is transpiled on require, as ts-node --transpile-only does, but once per
 * source text: the JavaScript is kept under node_modules/.cache/flannel-to-calico/ts/,
 * named by the sha256 of the TypeScript version, the options and the source. A run with
 * a warm cache does not load TypeScript at all (ts-node spent about 1.5 s of every plan
 * loading it and transpiling). A clean clone fills the cache on its first run.
 * Plain JavaScript (CommonJS) because it is what loads the TypeScript.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const CACHE = process.env.F2C_TS_CACHE || path.join(__dirname, "..", "node_modules", ".cache", "flannel-to-calico", "ts");
/** What tsconfig.json asks of the emitted JavaScript (transpileModule reads nothing else). */
const OPTIONS = { module: "commonjs", target: "es2022", esModuleInterop: true, resolveJsonModule: true, strict: true };
const TS_VERSION = require("typescript/package.json").version;
const SALT = `${TS_VERSION}\0${JSON.stringify(OPTIONS)}\0`;

let ts;
function transpile(source, filename) {
    ts = ts || require("typescript");
    const { options } = ts.convertCompilerOptionsFromJson(OPTIONS, ".");
    return ts.transpileModule(source, { compilerOptions: options, fileName: filename, reportDiagnostics: false })
        .outputText;
}

/** The JavaScript of a TypeScript source, from the cache or transpiled (and then cached). */
function javascriptOf(source, filename) {
    const key = crypto.createHash("sha256").update(SALT).update(source).digest("hex");
    const file = path.join(CACHE, `${key}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        const js = transpile(source, filename);
        try {
            fs.mkdirSync(CACHE, { recursive: true });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, js);
            fs.renameSync(tmp, file);
        } catch {
            // A read-only cache only costs speed.
        }
        return js;
    }
}

require.extensions[".ts"] = function (module, filename) {
    module._compile(javascriptOf(fs.readFileSync(filename, "utf8"), filename), filename);
};

module.exports = { javascriptOf, CACHE };
