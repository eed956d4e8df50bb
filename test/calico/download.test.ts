/**
 * Downloading a pinned manifest for real: Node's fetch against a local HTTP
 * server that serves the pinned file, or a tampered one. (The server stands
 * in for raw.githubusercontent.com; it serves the same bytes.)
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { download, loadManifest, sha256Hex } from "../../calico/source";
import { findKnownCalico } from "../../calico/versions";
import { CalicoSettings } from "../../settings/types";

const shared = path.resolve(__dirname, "..", "..", "..", "shared", "calico", "v3.26", "calico.yaml");
const V3_26 = findKnownCalico("v3.26.5");

describe("downloading a pinned manifest over HTTP", () => {
    let server: http.Server;
    let base = "";
    let body: Buffer = Buffer.from("");
    let hits = 0;
    let cache = "";
    before(async function () {
        const dir = process.env.CALICO_MANIFEST_DIR;
        const file =
            dir && fs.existsSync(path.join(dir, "v3.26", "calico.yaml"))
                ? path.join(dir, "v3.26", "calico.yaml")
                : shared;
        if (!fs.existsSync(file)) this.skip();
        body = fs.readFileSync(file);
        server = http.createServer((req, res) => {
            hits++;
            if (req.url === "/redirect") {
                res.writeHead(302, { location: "/calico.yaml" }).end();
            } else if (req.url === "/calico.yaml") {
                res.writeHead(200, { "content-type": "text/yaml" }).end(body);
            } else {
                res.writeHead(404).end();
            }
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server?.close());
    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-dl-"));
        hits = 0;
    });
    afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

    const settings = (): CalicoSettings => {
        assert.ok(V3_26);
        return {
            version: { major: 3, minor: 26, patch: 5, text: "3.26.5" },
            versionText: "v3.26.5",
            manifest: { kind: "known", known: V3_26 },
            adopt: false,
        };
    };
    /** The real download, from the local server instead of the pinned host. */
    const local = (url: string) => download(url.replace(/^https:\/\/[^/]+\/.*$/, `${base}/redirect`));

    it("downloads the pinned file (following a redirect), checks its sha256 and caches it", async () => {
        const m = await loadManifest(settings(), "calico", {
            manifestDir: "/nonexistent",
            cacheDir: cache,
            fetch: local,
        });
        assert.strictEqual(m.sha256, sha256Hex(body));
        assert.strictEqual(m.sha256, V3_26?.manifests.calico.sha256);
        assert.ok(fs.existsSync(path.join(cache, `${m.sha256}.yaml`)));
        await loadManifest(settings(), "calico", { manifestDir: "/nonexistent", cacheDir: cache, fetch: local });
        assert.strictEqual(hits, 2, "one download (a redirect and the file), then the cache");
    });
    it("refuses a tampered file, showing both hashes and how to pin, and caches nothing", async () => {
        const original = body;
        body = Buffer.concat([original, Buffer.from("\n# tampered\n")]);
        try {
            await assert.rejects(
                loadManifest(settings(), "calico", { manifestDir: "/nonexistent", cacheDir: cache, fetch: local }),
                (e: Error) =>
                    e.message.includes(`has sha256 ${sha256Hex(body)}, expected ${V3_26?.manifests.calico.sha256}`) &&
                    /calico\.manifest/.test(e.message),
            );
            assert.deepStrictEqual(fs.readdirSync(cache), []);
        } finally {
            body = original;
        }
    });
    it("says what to do when the server cannot be reached", async () => {
        await assert.rejects(
            download("http://127.0.0.1:1/calico.yaml"),
            /no network\? set CALICO_MANIFEST_DIR or calico\.manifest\.path/,
        );
        await assert.rejects(download(`${base}/missing.yaml`), /HTTP 404/);
    });
});
