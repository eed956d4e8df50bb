/** The lib.sh splitter and the parameters each step gets: exact, and loud on what it cannot place. */
import * as assert from "assert";
import { libFor, splitLib } from "../../nodes/library";
import { stepParameters } from "../../nodes/render";
import { STEPS } from "../../nodes/steps";

const LIB = [
    "# shellcheck shell=bash",
    "CHANGES=0",
    "log() { printf '%s\\n' \"$NODE $*\"; }",
    "",
    "# Sums a column with an awk block that holds an indented }.",
    "total() {",
    "  awk '",
    "    { s += $1 }",
    "    END {",
    "      print s",
    "    }",
    "  '",
    "}",
    "",
    "unused() {",
    "  log never",
    "}",
].join("\n");

describe("the lib.sh splitter", () => {
    it("keeps a function whole when its body holds an indented } (an awk block)", () => {
        const total = splitLib(LIB).find((p) => p.name === "total");
        assert.ok(total?.text.includes("print s") && total.text.endsWith("\n}"), total?.text);
        const step = libFor(splitLib(LIB), "total < numbers");
        assert.ok(step.includes("END {") && step.includes("      print s"), step);
        assert.ok(
            !/^ {4}}'$/m.test(step.split("total() {")[0]),
            "no piece of total is copied as a top-level statement",
        );
    });
    it("ships only the helpers a step names, and what they name in turn", () => {
        const step = libFor(splitLib(LIB), "total < numbers");
        assert.ok(step.includes("total() {"));
        assert.ok(!step.includes("unused()"), "unused helpers stay behind");
        assert.ok(libFor(splitLib(LIB), "unused").includes("log() {"), "a helper's own helpers come along");
    });
    it("fails naming the line when a function body has a line at column 0", () => {
        const broken = LIB.replace("    END {", "END {");
        assert.throws(() => splitLib(broken), /lib\.sh line 9: "END \{" is at column 0 inside function total/);
    });
    it("fails on a top-level line that is neither a function, a comment, an assignment nor a trap", () => {
        assert.throws(() => splitLib(`${LIB}\nmkdir -p /tmp/x\n`), /line 18: "mkdir -p \/tmp\/x" is neither/);
    });
    it("fails on a function that is never closed", () => {
        assert.throws(() => splitLib("f() {\n  echo x\n"), /function f .* never closed/);
    });
});

describe("step parameters", () => {
    it("are derived from each step's text and its helpers", () => {
        const want: Record<string, string[]> = {
            preflight: [
                "NODE",
                "STEP",
                "STATE_DIR",
                "DOCKER_BIP",
                "KUBERNETES_VERSION",
                "KERNEL_MODULES",
                "MODULE_REQUIRED",
                "MODULE_NEEDED_BY",
                "CNI_BIN_DIR",
                "CNI_NET_DIR",
                "IMAGES",
                "POD_MTU",
                "ENCAP_OVERHEAD",
                "IP_AUTODETECTION",
                "FIRST_FOUND",
            ],
            "remove-flannel": ["NODE", "STEP", "STATE_DIR", "POD_CIDR", "CNI_NET_DIR"],
            docker: ["NODE", "STEP", "STATE_DIR", "DOCKER_BIP"],
            kubelet: ["NODE", "STEP", "STATE_DIR"],
            "cni-state": ["NODE", "STEP", "STATE_DIR", "CNI_NET_DIR"],
            apply: ["NODE", "STEP", "STATE_DIR"],
        };
        for (const step of STEPS) assert.deepStrictEqual([...stepParameters(step)], want[step], step);
    });
});
