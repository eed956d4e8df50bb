/**
 * The checker reaches the Kubernetes API with busybox wget over TLS and a bearer token (api.sh, as
 * the Job runs it). busybox's TLS client verifies no certificate and, before 1.36, offers no
 * SHA-256 signature algorithms, which servers that refuse SHA-1 handshake signatures (OpenSSL 3;
 * Go from 1.25, proposal golang/go#72883) reject: hence busybox 1.36.1 as the default image.
 */
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { checkerProgram } from "../../verify/scripts";
import { busyboxBin } from "../helpers/podnet";

const required = process.env.F2C_REQUIRE_HOST_TESTS === "1";
const has = (bin: string) => {
    try {
        execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
};
/** The API helpers of the checker program, without its main part (probe.sh + api.sh). */
const apiFunctions = () => checkerProgram().split("# shellcheck shell=sh").slice(0, 3).join("# shellcheck shell=sh");

describe("the checker's API calls over TLS with busybox wget", function () {
    this.timeout(60000);
    let dir: string;
    let bin: string;
    let version: [number, number];
    const seen: { auth?: string; url?: string; agent?: string }[] = [];

    before(function () {
        if (!has("busybox") || !has("openssl")) {
            const msg = "HOST TESTS SKIPPED (TLS): needs busybox (busybox-static) and openssl";
            process.stderr.write(`\n!!! ${msg} !!!\n\n`);
            if (required) throw new Error(`${msg} (F2C_REQUIRE_HOST_TESTS=1: CI must run them)`);
            this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-tls-"));
        bin = busyboxBin(dir);
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=kubernetes",
                "-keyout",
                path.join(dir, "key.pem"),
                "-out",
                path.join(dir, "cert.pem"),
            ],
            { stdio: "ignore" },
        );
        fs.writeFileSync(path.join(dir, "token"), "tls-test-token");
        const m = /BusyBox v(\d+)\.(\d+)/.exec(execFileSync("busybox", { encoding: "utf8" }))!;
        version = [Number(m[1]), Number(m[2])];
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    /** Serves one request with `options`, and runs `api GET` against it. */
    async function call(options: https.ServerOptions): Promise<{ code: number | null; out: string }> {
        const srv = https.createServer(
            {
                cert: fs.readFileSync(path.join(dir, "cert.pem")),
                key: fs.readFileSync(path.join(dir, "key.pem")),
                ...options,
            },
            (req, res) => {
                seen.push({ auth: req.headers.authorization, url: req.url, agent: req.headers["user-agent"] });
                res.setHeader("Content-Type", "application/json");
                res.end('{"kind":"PodList","items":[]}');
            },
        );
        await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
        const port = (srv.address() as { port: number }).port;
        const script = `${apiFunctions()}\nW=${dir}; api GET "/api/v1/namespaces/x/pods?pretty=false" || { cat "$W/api.err"; exit 1; }`;
        try {
            return await new Promise((resolve) =>
                execFile(
                    "env",
                    [
                        "-i",
                        `PATH=${bin}`,
                        "F2C_LIB=1",
                        `F2C_API=https://127.0.0.1:${port}`,
                        `F2C_TOKEN_FILE=${dir}/token`,
                        `${bin}/sh`,
                        "-c",
                        script,
                    ],
                    { timeout: 30000 },
                    (e, stdout, stderr) =>
                        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
                ),
            );
        } finally {
            srv.close();
        }
    }

    it("sends the service account token and reads the answer (server allowing SHA-1 signatures, as Go did up to 1.24)", async () => {
        const r = await call({ ciphers: "DEFAULT@SECLEVEL=0" });
        assert.strictEqual(r.code, 0, r.out);
        assert.strictEqual(r.out, '{"kind":"PodList","items":[]}');
        const last = seen[seen.length - 1];
        assert.strictEqual(last.auth, "Bearer tls-test-token");
        assert.strictEqual(last.url, "/api/v1/namespaces/x/pods?pretty=false");
        assert.strictEqual(last.agent, "f2c-check", "not Wget: the API server pretty-prints for a Wget user agent");
    });

    it("needs busybox 1.36 or later against a server that refuses SHA-1 signatures (OpenSSL 3 defaults)", async () => {
        const r = await call({});
        if (version[0] > 1 || version[1] >= 36) assert.strictEqual(r.code, 0, r.out);
        else {
            assert.notStrictEqual(r.code, 0, `busybox ${version.join(".")} unexpectedly completed the handshake`);
            assert.match(r.out, /handshake failure|alert/);
        }
    });
});
