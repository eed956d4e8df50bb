/**
 * Loaded by mocha before any test (.mocharc.json "require"); its mochaHooks
 * are root hooks.
 *
 * Tests read the upstream Calico manifests from CALICO_MANIFEST_DIR. When it
 * is unset: ../shared/calico beside the checkout (this project's machines),
 * or else every pinned manifest is downloaded once into the download cache
 * (checked against its sha256) and laid out like that directory. A manifest
 * that cannot be obtained (no network; the v3.8.9 pin is a re-rendering no
 * URL is sure to serve byte for byte) makes every test that may need one skip
 * with a notice naming CALICO_MANIFEST_DIR; with F2C_REQUIRE_HOST_TESTS=1
 * (this project's CI) that is a failure instead.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KNOWN_CALICO, ManifestVariant } from "../calico/versions";
import { loadManifest } from "../calico/source";

/** Test files that need no manifest: they run whatever the machine has. */
const NO_MANIFEST = [
    "settings/",
    "nodes/library.test",
    "nodes/render.test",
    "plan/rules.test",
    "program/workflows.test",
    "calico/download.test",
];

const missing: string[] = [];

/**
 * For `before` hooks that build the program (they run before the root
 * beforeEach): skips the suite when pinned manifests are missing, or fails
 * it in this project's CI.
 */
export function needsManifests(ctx: Mocha.Context): void {
    if (!missing.length) return;
    if (required) throw new Error(`pinned Calico manifests are missing (${missing.length}); see the notice above`);
    ctx.skip();
}
const required = process.env.F2C_REQUIRE_HOST_TESTS === "1";

// This project's machines have the manifests beside the checkout.
const shared = path.resolve(__dirname, "..", "..", "shared", "calico");
if (!process.env.CALICO_MANIFEST_DIR && fs.existsSync(shared)) process.env.CALICO_MANIFEST_DIR = shared;

async function obtainManifests(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-manifests-"));
    for (const known of KNOWN_CALICO) {
        fs.mkdirSync(path.join(dir, known.dir), { recursive: true });
        for (const variant of ["calico", "calico-typha"] as ManifestVariant[]) {
            try {
                const calico = {
                    version: { major: 3, minor: 0, patch: 0, text: known.version },
                    versionText: known.version,
                };
                const m = await loadManifest({ ...calico, manifest: { kind: "known", known }, adopt: false }, variant, {
                    manifestDir: "/nonexistent",
                });
                fs.writeFileSync(path.join(dir, known.dir, `${variant}.yaml`), m.text);
            } catch (e) {
                missing.push(`${known.dir}/${variant}.yaml (${(e as Error).message.split("\n")[0].slice(0, 160)})`);
            }
        }
    }
    process.env.CALICO_MANIFEST_DIR = dir;
    if (missing.length) {
        process.stderr.write(
            `\n  !! ${missing.length} pinned Calico manifest(s) could not be obtained:\n${missing.map((m) => `  !!   ${m}\n`).join("")}` +
                "  !! Tests that need them are skipped. Set CALICO_MANIFEST_DIR to a directory laid out like shared/calico\n" +
                "  !! (<dir>/v3.8/calico.yaml ...) holding the files their sha256 pins name (README, 'Calico manifests').\n\n",
        );
    }
}

export const mochaHooks = {
    async beforeAll(this: Mocha.Context): Promise<void> {
        this.timeout(300000);
        if (!process.env.CALICO_MANIFEST_DIR) await obtainManifests();
        // Downloads made by the tests themselves go to a fresh cache.
        if (!process.env.F2C_CACHE_DIR)
            process.env.F2C_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-cache-"));
    },
    beforeEach(this: Mocha.Context): void {
        if (!missing.length) return;
        const file = path.relative(__dirname, this.currentTest?.file ?? "");
        if (NO_MANIFEST.some((p) => file.startsWith(p))) return;
        if (required) throw new Error(`pinned Calico manifests are missing (${missing.length}); see the notice above`);
        this.skip();
    },
};
