import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireSettings, RawConfig } from "../../settings";
import { rawConfigFromStackFile } from "../../settings/sources";
import { writePlan } from "../../plan/planner";
import { COMMENT_LIMIT, diffPlans, PlanEntry, renderMarkdown } from "../../plan/diff";
import { generatedRaw, tutorialRaw } from "../helpers/config";
import { STEPS } from "../../nodes/steps";

const ROOT = path.join(__dirname, "..", "..");

async function planOf(raw: RawConfig, stack = "t"): Promise<PlanEntry[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-pd-"));
    try {
        await writePlan(requireSettings(raw, { stack, dryRun: true }), dir);
        return JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as PlanEntry[];
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
async function planDir(raw: RawConfig, stack: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-pd-"));
    await writePlan(requireSettings(raw, { stack, dryRun: true }), dir);
    return dir;
}
const counts = (d: ReturnType<typeof diffPlans>) => ({
    k8s: ["added", "changed", "removed"].map((c) => d.kubernetes.filter((x) => x.change === c).length),
    scripts: ["added", "changed", "removed"].map((c) => d.scripts.filter((x) => x.change === c).length),
});

describe("plan diff for pull requests", () => {
    let base: PlanEntry[];
    before(async () => {
        base = await planOf(tutorialRaw());
    });

    it("an unchanged stack: no changes", async () => {
        const d = diffPlans(base, await planOf(tutorialRaw()));
        assert.deepStrictEqual(counts(d), { k8s: [0, 0, 0], scripts: [0, 0, 0] });
        assert.match(renderMarkdown(d, { stack: "dev", base: "main" }), /No changes\./);
    });
    it("two fixed settings give the expected summary", async () => {
        const d = diffPlans(base, await planOf(tutorialRaw({ network: { mode: "bgp", mtu: 1400 } })));
        const md = renderMarkdown(d, { stack: "dev", base: "origin/main" });
        assert.match(
            md,
            /^<!-- flannel-to-calico plan-diff: dev -->\n### Plan diff: stack `dev` \(`origin\/main` -> this branch\)/,
        );
        // The MTU and mode change also re-run the network check (its Job's template changes).
        assert.match(md, /\| Kubernetes objects \| 0 \| 3 \| 0 \|/);
        assert.match(md, /\| Node scripts \| 0 \| 0 \| 0 \|/);
        assert.match(md, /- changed: `crd.projectcalico.org IPPool default-ipv4-ippool` — `spec.ipipMode`/);
        assert.match(md, /- changed: `core ConfigMap kube-system\/calico-config` — `data.veth_mtu`/);
        assert.ok(!md.includes("CAUTION"));
    });
    for (const mode of ["bgp", "crossSubnet"]) {
        it(`ipip -> ${mode} shows the IPPool only (and the network check, which runs again)`, async () => {
            const d = diffPlans(base, await planOf(tutorialRaw({ network: { mode } })));
            assert.deepStrictEqual(
                d.kubernetes.map((x) => x.label),
                ["crd.projectcalico.org IPPool default-ipv4-ippool", "batch Job flannel-to-calico/f2c-check"],
            );
            assert.deepStrictEqual(counts(d).scripts, [0, 0, 0]);
            assert.strictEqual(d.nodesRerun.size, 0);
        });
    }
    it("a BGP peer added shows the BGP resources only (and the network check, which runs again)", async () => {
        const d = diffPlans(
            await planOf(tutorialRaw({ network: { mode: "bgp" } })),
            await planOf(
                tutorialRaw({
                    network: { mode: "bgp", bgp: { peers: [{ name: "tor-a", peerIP: "10.0.0.1", asNumber: 64600 }] } },
                }),
            ),
        );
        assert.deepStrictEqual(
            d.kubernetes.map((x) => `${x.change} ${x.label}`),
            ["changed batch Job flannel-to-calico/f2c-check", "added crd.projectcalico.org BGPPeer tor-a"],
        );
    });
    it("a node appended at the end shows its scripts only (and the network check's Jobs and Role)", async () => {
        const a = await planOf(generatedRaw(7, { rollout: { waveSize: 3 } }));
        const b = await planOf(
            generatedRaw(8, {
                rollout: { waveSize: 3 },
                cluster: {
                    name: "gen-7",
                    kubernetesVersion: "1.28.4",
                    podCidr: "172.30.0.0/16",
                    serviceCidr: "10.254.0.0/16",
                    context: "gen-7",
                },
            }),
        );
        const d = diffPlans(a, b);
        assert.deepStrictEqual(counts(d), { k8s: [0, 3, 0], scripts: [STEPS.length, 0, 0] });
        // The new node joins the checked probes: a new baseline (before its cutover) and a new check.
        assert.deepStrictEqual(d.kubernetes.map((x) => x.label).sort(), [
            "batch Job flannel-to-calico/f2c-baseline",
            "batch Job flannel-to-calico/f2c-check",
            "rbac.authorization.k8s.io Role flannel-to-calico/f2c-check",
        ]);
        assert.deepStrictEqual([...d.nodesRerun.keys()], ["node-0008"]);
        assert.ok(d.dependsOnOnly.includes("wave-3-complete"), "the gate's new dependency is mentioned");
        assert.match(renderMarkdown(d, { stack: "gen", base: "main" }), /Dependencies only \(not counted/);
    });
    it("a Calico version bump shows the changed objects and no deletion", async () => {
        const k = { kubernetesVersion: "1.28.4" };
        const d = diffPlans(
            await planOf(tutorialRaw({ cluster: k, calico: { version: "v3.26.5" } })),
            await planOf(tutorialRaw({ cluster: k, calico: { version: "v3.32.1" } })),
        );
        assert.ok(
            d.kubernetes.some((x) => x.change === "changed" && x.label === "apps DaemonSet kube-system/calico-node"),
        );
        assert.deepStrictEqual(
            d.kubernetes.filter((x) => x.change === "removed"),
            [],
        );
        assert.deepStrictEqual(d.protectedHits, []);
        // New images: the read-only preflight pulls them, nothing else runs again.
        for (const steps of d.nodesRerun.values()) assert.deepStrictEqual(steps, ["preflight"]);
    });
    it("an upgrade across apiVersions (CRDs v1beta1 -> v1) is a change, not a delete", async () => {
        const k = { kubernetesVersion: "1.21.5" };
        const d = diffPlans(
            await planOf(tutorialRaw({ cluster: k })),
            await planOf(tutorialRaw({ cluster: k, calico: { version: "v3.26.5" } })),
        );
        const crd = d.kubernetes.find(
            (x) => x.label === "apiextensions.k8s.io CustomResourceDefinition ippools.crd.projectcalico.org",
        )!;
        assert.strictEqual(crd.change, "changed");
        assert.match(crd.fields[0], /apiVersion apiextensions.k8s.io\/v1beta1 -> apiextensions.k8s.io\/v1/);
        assert.deepStrictEqual(d.protectedHits, []);
    });

    describe("the guard", () => {
        it("trips on a pod CIDR change (the IPPool would be replaced)", async () => {
            const d = diffPlans(base, await planOf(tutorialRaw({ cluster: { podCidr: "172.31.0.0/16" } })));
            assert.deepStrictEqual(
                d.protectedHits.map((h) => [h.action, h.label]),
                [["replace", "crd.projectcalico.org IPPool default-ipv4-ippool"]],
            );
            const md = renderMarkdown(d, { stack: "dev", base: "main" });
            assert.match(md, /\[!CAUTION\]/);
            assert.match(
                md,
                /\*\*REPLACE\*\* `crd.projectcalico.org IPPool default-ipv4-ippool`: spec.cidr cannot change in place \("172.30.0.0\/16" -> "172.31.0.0\/16"\)/,
            );
        });
        it("trips on a removed CRD", () => {
            const head = base.filter(
                (e) => e.name !== "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
            );
            const d = diffPlans(base, head);
            assert.deepStrictEqual(
                d.protectedHits.map((h) => h.action),
                ["delete"],
            );
            assert.match(d.protectedHits[0].label, /ippools\.crd\.projectcalico\.org/);
        });
        it("passes with the override label, still saying what it lets through", () => {
            const head = base.filter(
                (e) => e.name !== "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
            );
            const md = renderMarkdown(diffPlans(base, head), { stack: "dev", base: "main", allowProtected: true });
            assert.match(md, /\[!WARNING\]/);
            assert.match(md, /The override label is set/);
        });
        it("the CLI exits 3 on a protected replace and 0 with --allow-protected", async function () {
            this.timeout(120000);
            const { spawnSync, execFileSync } = await import("child_process");
            const repo = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-pd-git-"));
            try {
                // The project's own files as they are in the working tree (tracked, or new and not ignored).
                const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
                    cwd: ROOT,
                    encoding: "utf8",
                });
                for (const f of files.split("\n").filter((x) => x && fs.existsSync(path.join(ROOT, x)))) {
                    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
                    fs.copyFileSync(path.join(ROOT, f), path.join(repo, f));
                }
                fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
                const git = (...a: string[]) =>
                    execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...a], {
                        cwd: repo,
                        stdio: "ignore",
                    });
                fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\n");
                git("init", "-q");
                git("add", "-A");
                git("commit", "-qm", "base");
                fs.writeFileSync(
                    path.join(repo, "Pulumi.dev.yaml"),
                    fs
                        .readFileSync(path.join(repo, "Pulumi.dev.yaml"), "utf8")
                        .replace("podCidr: 172.30.0.0/16", "podCidr: 172.31.0.0/16"),
                );
                const run = (...extra: string[]) =>
                    spawnSync(
                        process.execPath,
                        [
                            "-r",
                            "ts-node/register/transpile-only",
                            path.join(repo, "tools", "planDiff.ts"),
                            "--stack",
                            "dev",
                            "--base",
                            "HEAD",
                            "--guard",
                            ...extra,
                        ],
                        { cwd: repo, encoding: "utf8" },
                    );
                const tripped = run();
                assert.strictEqual(tripped.status, 3, tripped.stderr);
                assert.match(tripped.stdout, /REPLACE/);
                assert.strictEqual(run("--allow-protected").status, 0);
            } finally {
                fs.rmSync(repo, { recursive: true, force: true });
            }
        });
    });

    it("keeps the comment for a 5000-node stack under GitHub's limit", () => {
        // Every node's preflight changes (a Calico bump changes the images it pulls) and 200 objects change.
        const mk = (v: string): PlanEntry[] => [
            ...Array.from({ length: 5000 }, (_, i) =>
                STEPS.map((s) => ({
                    type: "command:remote:Command",
                    name: `node-${String(i + 1).padStart(4, "0")}-${s}`,
                    urn: `u:${i}:${s}`,
                    dependsOn: [],
                    protect: false,
                    inputs: { create: s === "preflight" ? `pull ${v}` : "x" },
                })),
            ).flat(),
            ...Array.from({ length: 200 }, (_, i) => ({
                type: "kubernetes:apps/v1:Deployment",
                name: `d${i}`,
                urn: `k:${i}`,
                dependsOn: [],
                protect: false,
                inputs: {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    metadata: { name: `d${i}`, namespace: "kube-system" },
                    spec: { image: v },
                },
            })),
        ];
        const d = diffPlans(mk("v1"), mk("v2"));
        assert.strictEqual(d.nodesRerun.size, 5000);
        const md = renderMarkdown(d, { stack: "big", base: "main" });
        assert.ok(md.length < COMMENT_LIMIT, `${md.length} characters`);
        assert.match(md, /\| Node scripts \| 0 \| 5000 \| 0 \|/);
        assert.match(md, /\.\.\. and \d+ more/);
    });
});

describe("one stack per cluster", () => {
    it("plans the two example stacks one after the other without anything of one in the other", async () => {
        const load = (name: string) =>
            rawConfigFromStackFile(fs.readFileSync(path.join(ROOT, `Pulumi.${name}.yaml`), "utf8")).raw;
        const dev = await planDir(load("dev"), "dev");
        const prod = await planDir(load("prod-bgp"), "prod-bgp");
        try {
            const regs = (d: string) =>
                JSON.parse(fs.readFileSync(path.join(d, "resources.json"), "utf8")) as PlanEntry[];
            const provider = (d: string) => regs(d).find((r) => r.type === "pulumi:providers:kubernetes")!.inputs;
            assert.strictEqual(provider(dev).context, "tutorial");
            assert.strictEqual(provider(prod).context, "prod-bj-admin");
            assert.strictEqual(provider(prod).kubeconfig, "~/.kube/prod-bj.conf");
            const hosts = (d: string) =>
                new Set(
                    regs(d)
                        .filter((r) => r.type === "command:remote:Command")
                        .map((r) => (r.inputs.connection as { host: string }).host),
                );
            assert.deepStrictEqual([...hosts(dev)].sort(), ["172.27.137.238", "172.27.137.239", "172.27.137.240"]);
            assert.strictEqual(hosts(prod).size, 300);
            assert.ok(
                regs(prod)
                    .filter((r) => r.type === "command:remote:Command")
                    .every(
                        (r) =>
                            (r.inputs.connection as { proxy?: { host: string } }).proxy?.host ===
                            "bastion.prod-bj.example.com",
                    ),
            );
            const text = (d: string) =>
                ["summary.md", "resources.json"].map((f) => fs.readFileSync(path.join(d, f), "utf8")).join("\n");
            for (const s of ['"tutorial"', "zhangjun-k8s0", "172.27.137.", "172.30.0.0/16"])
                assert.ok(!text(prod).includes(s), `${s} leaked into prod-bgp's plan`);
            for (const s of ["prod-bj", "bj-k8s-", "10.40.", "10.244.0.0/16", "bastion"])
                assert.ok(!text(dev).includes(s), `${s} leaked into dev's plan`);
            assert.ok(fs.readdirSync(path.join(prod, "nodes")).every((n) => n.startsWith("bj-k8s-")));
        } finally {
            fs.rmSync(dev, { recursive: true, force: true });
            fs.rmSync(prod, { recursive: true, force: true });
        }
    });
});

describe("Typha crossing the threshold", () => {
    it("turning Typha on updates resources and never replaces calico-node or anything protected", async () => {
        const off = await planOf(generatedRaw(50));
        const on = await planOf(generatedRaw(50, { typha: { nodeCount: 51 } }));
        const d = diffPlans(off, on);
        assert.deepStrictEqual(d.protectedHits, []);
        const node = d.kubernetes.find((x) => x.label === "apps DaemonSet kube-system/calico-node")!;
        assert.strictEqual(node.change, "changed");
        assert.ok(
            node.fields.some((f) => f.startsWith("spec.template.spec.containers[0].env")),
            node.fields.join(),
        );
        assert.deepStrictEqual(
            d.kubernetes
                .filter((x) => x.change === "added")
                .map((x) => x.label)
                .sort(),
            [
                "apps Deployment kube-system/calico-typha",
                "core Service kube-system/calico-typha",
                "policy PodDisruptionBudget kube-system/calico-typha",
            ],
        );
        assert.deepStrictEqual(
            d.kubernetes.filter((x) => x.change === "removed"),
            [],
        );
        const back = diffPlans(on, off);
        assert.deepStrictEqual(back.protectedHits, []);
    });
});
