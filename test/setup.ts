/**
 * Loaded by mocha before any test: tests read the upstream manifests from
 * CALICO_MANIFEST_DIR (default: ../shared/calico beside the checkout) and
 * never download; the download cache is a fresh temporary directory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

if (!process.env.CALICO_MANIFEST_DIR) {
    const shared = path.resolve(__dirname, "..", "..", "shared", "calico");
    if (fs.existsSync(shared)) process.env.CALICO_MANIFEST_DIR = shared;
}
if (!process.env.F2C_CACHE_DIR) process.env.F2C_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-cache-"));
