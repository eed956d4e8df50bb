/**
 * The shipped step library and the commands that run it, executed here with
 * sh and bash: the library's dispatcher (order, per-step resume, compact
 * output, failures), the sha256 check, and parameters as data.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { invocation, library, Library, REMOTE_DIR, summarize } from "../../nodes/bundle";
import { StepName } from "../../nodes/steps";

/** Two fake steps in the real steps' output format; "cni-state" fails while $STATE_DIR/fail exists. */
const fake = (): Map<string, string> =>
    new Map([
        [
            "kubelet",
            'set -eu\necho "[flannel-to-calico] node=$NODE step=$STEP changed: detail line"\necho "[flannel-to-calico] node=$NODE step=$STEP result: changed (1 change(s))"\necho ran >> "$STATE_DIR/kubelet-runs"\n',
        ],
        [
            "cni-state",
            'set -eu\nfor i in $(seq 1 50); do echo "noise $i"; done\nif [ -e "$STATE_DIR/fail" ]; then echo "boom" >&2; exit 7; fi\necho "[flannel-to-calico] node=$NODE step=$STEP warning: a warning" >&2\necho "[flannel-to-calico] node=$NODE step=$STEP result: unchanged (nothing to do)"\n',
        ],
    ]);

describe("the shipped step library", () => {
    let home: string;
    let state: string;
    let lib: Library;
    const steps: StepName[] = ["kubelet", "cni-state"];
    const run = (l: Library, recheck = "", extra: Record<string, string> = {}) => {
        const cmd = invocation(l, { node: "n1", steps, values: { NODE: "n1", STATE_DIR: state, ...extra }, recheck });
        return spawnSync("sh", ["-c", cmd], { env: { ...process.env, HOME: home }, encoding: "utf8" });
    };
    const ship = (l: Library) => {
        fs.mkdirSync(path.join(home, REMOTE_DIR), { recursive: true });
        fs.writeFileSync(path.join(home, l.remotePath), l.text);
    };
    beforeEach(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-home-"));
        state = path.join(home, "state");
        lib = library(fake());
        ship(lib);
    });
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    it("is content-addressed: its name carries its sha256, and it holds no node or parameter", () => {
        assert.strictEqual(lib.fileName, `lib-${lib.sha256}.sh`);
        assert.strictEqual(library(fake()).sha256, lib.sha256);
        assert.ok(!lib.text.includes("n1"));
        const real = library();
        assert.ok(real.text.includes("preflight)") && real.text.includes("apply)"));
    });
    it("runs the steps in order and prints only their result and warning lines", () => {
        const r = run(lib);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(r.stdout.trim().split("\n"), [
            "kubelet: changed (1 change(s))",
            "cni-state warning: a warning",
            "cni-state: unchanged (nothing to do)",
        ]);
        assert.strictEqual(
            summarize([r.stdout]),
            "kubelet: changed (1 change(s)); cni-state: unchanged (nothing to do)",
        );
        assert.match(fs.readFileSync(path.join(state, "log", "kubelet.log"), "utf8"), /changed: detail line/);
    });
    it("skips a step done with the same library, parameters and recheck; runs it again when one changes", () => {
        run(lib);
        const again = run(lib);
        assert.match(again.stdout, /^kubelet: done earlier .* \(skipped\)$/m);
        assert.strictEqual(fs.readFileSync(path.join(state, "kubelet-runs"), "utf8"), "ran\n");
        run(lib, "2026-12-01");
        assert.strictEqual(fs.readFileSync(path.join(state, "kubelet-runs"), "utf8"), "ran\nran\n");
    });
    it("fails naming the node, the step and its log, and resumes at that step", () => {
        fs.mkdirSync(state, { recursive: true });
        fs.writeFileSync(path.join(state, "fail"), "");
        const failed = run(lib);
        assert.strictEqual(failed.status, 7);
        assert.match(failed.stderr, /boom/);
        assert.match(failed.stderr, /node=n1 step=cni-state failed \(exit 7\); its full output is in .*cni-state\.log/);
        assert.ok(!failed.stderr.includes("noise 1\n"), "only the last lines of the log");
        fs.rmSync(path.join(state, "fail"));
        const resumed = run(lib);
        assert.strictEqual(resumed.status, 0, resumed.stderr);
        assert.match(resumed.stdout, /^kubelet: done earlier/m);
        assert.match(resumed.stdout, /^cni-state: unchanged/m);
    });
    it("refuses a library that is missing or altered", () => {
        fs.appendFileSync(path.join(home, lib.remotePath), "\necho tampered\n");
        const altered = run(lib);
        assert.strictEqual(altered.status, 1);
        assert.match(
            altered.stderr,
            /node=n1 kubelet,cni-state failed: no intact .*lib-[0-9a-f]{64}\.sh: new rollout.recheck ships it/,
        );
        fs.rmSync(path.join(home, lib.remotePath));
        assert.strictEqual(run(lib).status, 1);
        assert.ok(!fs.existsSync(path.join(state, "kubelet-runs")), "nothing ran");
    });
    it("passes parameters as data: a hostile value does not run", () => {
        const mine = library(
            new Map([
                [
                    "kubelet",
                    'set -eu\nprintf "%s" "$POD_CIDR" > "$STATE_DIR/seen"\necho "[flannel-to-calico] node=$NODE step=$STEP result: unchanged"\n',
                ],
            ]),
        );
        ship(mine);
        const hostile = `x'$(touch ${home}/pwned)"\`touch ${home}/pwned2\``;
        const cmd = invocation(mine, {
            node: "n1",
            steps: ["kubelet"],
            values: { NODE: "n1", STATE_DIR: state, POD_CIDR: hostile },
            recheck: "",
        });
        const r = spawnSync("sh", ["-c", cmd], { env: { ...process.env, HOME: home }, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(fs.readFileSync(path.join(state, "seen"), "utf8"), hostile);
        assert.ok(!fs.existsSync(path.join(home, "pwned")) && !fs.existsSync(path.join(home, "pwned2")));
    });
    it("refuses to render a command without a value for a parameter its steps read", () => {
        assert.throws(
            () => invocation(library(), { node: "n1", steps: ["preflight"], values: { NODE: "n1" }, recheck: "" }),
            /no value for/,
        );
    });
});
