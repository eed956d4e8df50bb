/** The node-script renderer: pure, so tested directly. */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStepBody, renderStepScript, shq, STEPS } from "../../nodes/render";
import { NetworkMode } from "../../settings";

const params = (mode: NetworkMode = "ipip") => ({
    node: "n1",
    podCidr: "172.30.0.0/16",
    dockerBip: "172.17.0.1/16",
    mode,
    kubernetesVersion: "1.14.2",
    images: ["calico/node:v3.8.9", "calico/cni:v3.8.9"],
    cniBinDir: "/opt/cni/bin",
    cniNetDir: "/etc/cni/net.d",
});
const LIB_FUNCTIONS = [
    ...fs
        .readFileSync(path.join(__dirname, "..", "..", "nodes", "scripts", "lib.sh"), "utf8")
        .matchAll(/^([a-z_]+)\(\) \{/gm),
].map((m) => m[1]);

describe("node script rendering", () => {
    for (const step of STEPS) {
        it(`${step}: defines every helper it names, and parses with bash -n`, () => {
            const body = renderStepBody(step, params());
            for (const fn of LIB_FUNCTIONS) {
                const named = new RegExp(`(^|[^A-Za-z0-9_-])${fn}([^A-Za-z0-9_-]|$)`, "m").test(body);
                if (named) assert.ok(body.includes(`${fn}() {`), `${step} calls ${fn} but does not define it`);
            }
            execFileSync("bash", ["-n"], { input: body });
        });
    }
    it("carries only the helpers a step needs", () => {
        const body = renderStepBody("cni-state", params());
        assert.ok(!body.includes("iptables_backends() {"));
        assert.ok(!body.includes("execstart_line() {"));
        assert.ok(renderStepBody("remove-flannel", params()).includes("iptables_backends() {"));
    });
    it("renders the mode only into preflight, and the same text for ipip, bgp and crossSubnet", () => {
        for (const step of STEPS) {
            // bgp adds no header, so preflight's MTU check (ENCAP_OVERHEAD) differs; nothing else does.
            assert.strictEqual(
                renderStepScript(step, params("bgp")).replace("ENCAP_OVERHEAD='0'", "ENCAP_OVERHEAD='20'"),
                renderStepScript(step, params("ipip")),
                step,
            );
            assert.strictEqual(
                renderStepScript(step, params("crossSubnet")),
                renderStepScript(step, params("ipip")),
                step,
            );
            if (step !== "preflight")
                assert.strictEqual(
                    renderStepScript(step, params("vxlan")),
                    renderStepScript(step, params("ipip")),
                    step,
                );
        }
        assert.notStrictEqual(
            renderStepScript("preflight", params("vxlan")),
            renderStepScript("preflight", params("ipip")),
        );
    });
    it("quotes parameters for the shell, whatever they hold", () => {
        const v = `a'b $(touch /tmp/pwned) "c"`;
        const out = execFileSync("bash", ["-c", `X=${shq(v)}; printf '%s' "$X"`], { encoding: "utf8" });
        assert.strictEqual(out, v);
    });
    it("renders every parameter through that quoting: a hostile value arrives as data", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-quote-"));
        try {
            const hostile = `img'x $(touch ${dir}/pwned) "y" \`touch ${dir}/pwned2\``;
            const body = renderStepBody("preflight", { ...params(), images: [hostile], cniNetDir: `${dir}/$(id)` });
            const assignments = body.split("\n").filter((l) => /^[A-Z_]+=/.test(l));
            assert.ok(assignments.length >= 5, body.slice(0, 400));
            const script = `${assignments.join("\n")}\nprintf '%s\\n%s' "$IMAGES" "$CNI_NET_DIR"`;
            const out = execFileSync("bash", ["-c", script], { encoding: "utf8" });
            assert.strictEqual(out, `${hostile}\n${dir}/$(id)`);
            assert.deepStrictEqual(fs.readdirSync(dir), [], "a parameter ran as a command");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("is deterministic: the same parameters give the same bytes", () => {
        for (const step of STEPS)
            assert.strictEqual(renderStepScript(step, params()), renderStepScript(step, params()));
    });
});
