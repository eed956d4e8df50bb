/** Where the manifest comes from: CALICO_MANIFEST_DIR, the sha256 cache, a download, a user path. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadManifest, sha256Hex } from "../../calico/source";
import { settingsOf, manifestDir } from "../helpers/config";

const calico = (c: Record<string, unknown>, k8s = "1.14.2") =>
    settingsOf({ cluster: { kubernetesVersion: k8s }, calico: c }, { stack: "t" }).calico;

describe("manifest source", () => {
    let cache: string;
    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-cache-"));
    });
    afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));
    before(function () {
        if (!fs.existsSync(manifestDir())) this.skip();
    });

    it("downloads a known version from its pinned URL once, then serves it from the cache by sha256", async () => {
        const text = fs.readFileSync(path.join(manifestDir(), "v3.26", "calico.yaml"));
        const urls: string[] = [];
        const fetch = async (u: string) => {
            urls.push(u);
            return text;
        };
        const c = calico({ version: "v3.26.5" }, "1.28.4");
        const first = await loadManifest(c, "calico", { manifestDir: "/nonexistent", cacheDir: cache, fetch });
        assert.deepStrictEqual(urls, [
            "https://raw.githubusercontent.com/projectcalico/calico/v3.26.5/manifests/calico.yaml",
        ]);
        assert.ok(fs.existsSync(path.join(cache, `${first.sha256}.yaml`)));
        const again = await loadManifest(c, "calico", {
            manifestDir: "/nonexistent",
            cacheDir: cache,
            fetch: async () => {
                throw new Error("no network");
            },
        });
        assert.strictEqual(again.sha256, first.sha256);
        assert.strictEqual(urls.length, 1);
    });
    it("refuses a download whose sha256 differs, showing both and how to pin it", async () => {
        const c = calico({ version: "v3.8.9" });
        await assert.rejects(
            loadManifest(c, "calico", {
                manifestDir: "/nonexistent",
                cacheDir: cache,
                fetch: async () => Buffer.from("kind: Something\n"),
            }),
            (e: Error) =>
                e.message.includes(
                    `has sha256 ${sha256Hex("kind: Something\n")}, expected c1a2eb14c41ffba4fff432e9a3d2576315fe191339fe30e6fc2988193a77bdba`,
                ) &&
                e.message.includes("calico.manifest.sha256") &&
                e.message.includes("re-rendered from upstream sources"),
        );
        assert.deepStrictEqual(fs.readdirSync(cache), [], "nothing cached");
    });
    it("refuses a CALICO_MANIFEST_DIR file that is not the pinned one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-mdir-"));
        fs.mkdirSync(path.join(dir, "v3.8"));
        fs.writeFileSync(path.join(dir, "v3.8", "calico.yaml"), "edited");
        await assert.rejects(
            loadManifest(calico({ version: "v3.8.9" }), "calico", { manifestDir: dir, cacheDir: cache }),
            /CALICO_MANIFEST_DIR\) has sha256 .*expected c1a2eb14/,
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });
    it("uses a user URL with its own sha256", async () => {
        const text = fs.readFileSync(path.join(manifestDir(), "v3.26", "calico.yaml"));
        const c = calico(
            {
                version: "v3.26.5",
                manifest: { url: "https://mirror.example.com/calico.yaml", sha256: sha256Hex(text) },
            },
            "1.28.4",
        );
        const m = await loadManifest(c, "calico", {
            cacheDir: cache,
            fetch: async (u) => {
                assert.strictEqual(u, "https://mirror.example.com/calico.yaml");
                return text;
            },
        });
        assert.strictEqual(m.source, "https://mirror.example.com/calico.yaml");
    });
    it("reads a local path, checking its sha256 when one is given", async () => {
        const p = path.join(manifestDir(), "v3.32", "calico.yaml");
        const ok = await loadManifest(calico({ version: "v3.32.1", manifest: { path: p } }, "1.34.1"), "calico", {
            cacheDir: cache,
        });
        assert.strictEqual(ok.sha256, "a1df919d9721cf667accdc3e72848911b0cb25cfab7d2478ad0c996302c95744");
        await assert.rejects(
            loadManifest(
                calico({ version: "v3.32.1", manifest: { path: p, sha256: "0".repeat(64) } }, "1.34.1"),
                "calico",
                { cacheDir: cache },
            ),
            /expected 0{64}/,
        );
    });
});
