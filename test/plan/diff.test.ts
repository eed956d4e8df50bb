/**
 * The plan diff, classified as pulumi up would act (plan/rules.ts): the everyday cases, the guard, and
 * the proof cases. Over 250 lines because the proof cases share these plans and helpers.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireSettings, RawConfig } from "../../settings";
import { rawConfigFromStackFile } from "../../settings/sources";
import { writePlan } from "../../plan/planner";
import { diffPlans, PlanDiff, PlanEntry } from "../../plan/diff";
import { readPlan } from "../../plan/read";
import { COMMENT_LIMIT, renderMarkdown } from "../../plan/diffRender";
import { generatedCluster, generatedRaw, tutorialRaw } from "../helpers/config";
import { NODE_COMMAND_NAMES, STEPS } from "../../nodes/steps";
import { needsManifests } from "../setup";

const ROOT = path.join(__dirname, "..", "..");

async function planOf(raw: RawConfig, stack = "t"): Promise<PlanEntry[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-pd-"));
    try {
        await writePlan(requireSettings(raw, { stack, dryRun: true }), dir);
        return await readPlan(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
async function planDir(raw: RawConfig, stack: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-pd-"));
    await writePlan(requireSettings(raw, { stack, dryRun: true }), dir);
    return dir;
}
/** What changes, the network check left out: its Jobs run again on any network change (Job templates are forceNew). */
const changed = (d: PlanDiff) =>
    d.changes
        .filter((c) => !c.label.includes("flannel-to-calico/f2c-"))
        .map((c) => `${c.verdict.action} ${c.label}`)
        .sort();
const fieldsOf = (d: PlanDiff, label: string) => d.changes.find((c) => c.label === label)?.verdict.fields ?? [];
const POOL = "crd.projectcalico.org IPPool default-ipv4-ippool";
const NODE_DS = "apps DaemonSet kube-system/calico-node";

describe("plan diff for pull requests", () => {
    let base: PlanEntry[];
    before(async function () {
        needsManifests(this);
        base = await planOf(tutorialRaw());
    });

    it("an unchanged stack: no changes", async () => {
        const d = diffPlans(base, await planOf(tutorialRaw()));
        assert.deepStrictEqual(d.changes, []);
        assert.match(renderMarkdown(d, { stack: "dev", base: "main" }), /No changes\./);
    });
    for (const mode of ["bgp", "crossSubnet"]) {
        it(`ipip -> ${mode} updates the IPPool in place (a custom resource is patched), nothing else`, async () => {
            const d = diffPlans(base, await planOf(tutorialRaw({ network: { mode } })));
            // The mode-switch guard (calico/modeSwitch.ts) records the new state: a local command, nothing on nodes.
            // bgp drops the pool's encapsulation, which the guard records; crossSubnet keeps IPIP.
            const guard = mode === "bgp" ? ["update calico-network-guard"] : [];
            const nodes = ["zhangjun-k8s01", "zhangjun-k8s02", "zhangjun-k8s03"];
            const preflight = mode === "bgp" ? nodes.map((n) => `update ${n}-preflight`) : [];
            assert.deepStrictEqual(changed(d), [...guard, `update ${POOL}`, ...preflight].sort());
            assert.deepStrictEqual(
                fieldsOf(d, POOL).map((f) => [f.path, f.before, f.after]),
                [["spec.ipipMode", "Always", mode === "bgp" ? "Never" : "CrossSubnet"]],
            );
            // bgp adds no header: preflight re-checks the MTU against flanneld's interface, nothing else re-runs.
            for (const steps of d.nodesRerun.values()) assert.deepStrictEqual(steps, ["preflight"]);
            assert.strictEqual(d.nodesRerun.size, mode === "bgp" ? 3 : 0);
            assert.deepStrictEqual(d.guard, []);
        });
    }
    it("a BGP peer added creates the BGPPeer only", async () => {
        const peers = [{ name: "tor-a", peerIP: "10.0.0.1", asNumber: 64600 }];
        const d = diffPlans(
            await planOf(tutorialRaw({ network: { mode: "bgp" } })),
            await planOf(tutorialRaw({ network: { mode: "bgp", bgp: { peers } } })),
        );
        assert.deepStrictEqual(changed(d), ["create crd.projectcalico.org BGPPeer tor-a"]);
    });
    it("a node appended at the end creates its commands only", async () => {
        const cluster = generatedCluster(7);
        const a = await planOf(generatedRaw(7, { rollout: { waveSize: 3, allowLargeWaves: true } }));
        const b = await planOf(generatedRaw(8, { rollout: { waveSize: 3, allowLargeWaves: true }, cluster }));
        const d = diffPlans(a, b);
        const mine = ["library", ...NODE_COMMAND_NAMES].map((c) => `create node-0008-${c}`);
        assert.deepStrictEqual(changed(d), mine.sort());
        assert.deepStrictEqual([...d.nodesRerun.keys()], ["node-0008"]);
        assert.ok(d.dependsOnOnly.includes("wave-3-complete"), "the gate's new dependency is mentioned");
        assert.ok(d.dependsOnOnly.includes("preflight-complete"), "so is the preflight gate's");
        assert.match(renderMarkdown(d, { stack: "gen", base: "main" }), /Dependencies only \(nothing runs\)/);
    });
    it("shows old and new values, and the exact path inside arrays (named items by name)", async () => {
        const d = diffPlans(base, await planOf(tutorialRaw({ network: { mode: "vxlan" } })));
        const probe = fieldsOf(d, NODE_DS).find((f) => f.path.includes("readinessProbe"));
        assert.ok(probe, JSON.stringify(fieldsOf(d, NODE_DS).map((f) => f.path)));
        assert.match(
            probe.path,
            /^spec\.template\.spec\.containers\[name=calico-node\]\.readinessProbe\.exec\.command\[\d\]$/,
        );
        const md = renderMarkdown(d, { stack: "dev", base: "main" });
        assert.match(md, /`spec\.ipipMode` "Always" -> "Never"/);
        assert.match(md, /`spec\.vxlanMode` "Never" -> "Always"/);
    });
    it("an upgrade across apiVersions (CRDs v1beta1 -> v1) is an update, not a delete", async () => {
        const k = { kubernetesVersion: "1.21.5" };
        const d = diffPlans(
            await planOf(tutorialRaw({ cluster: k })),
            await planOf(tutorialRaw({ cluster: k, calico: { version: "v3.26.5" } })),
        );
        const crd = d.changes.find(
            (x) => x.label === "apiextensions.k8s.io CustomResourceDefinition ippools.crd.projectcalico.org",
        );
        assert.strictEqual(crd?.verdict.action, "update");
        assert.deepStrictEqual(
            crd.verdict.fields.find((f) => f.path === "apiVersion"),
            { path: "apiVersion", before: "apiextensions.k8s.io/v1beta1", after: "apiextensions.k8s.io/v1" },
        );
        assert.ok(
            !d.changes.some((c) => c.verdict.action === "delete" && c.label.includes("CustomResourceDefinition")),
        );
    });

    describe("the guard", () => {
        it("trips on a pod CIDR change: replaceOnChanges makes it a replace, which protect refuses", async () => {
            const d = diffPlans(base, await planOf(tutorialRaw({ cluster: { podCidr: "172.31.0.0/16" } })));
            assert.deepStrictEqual(
                d.guard.map((h) => [h.action, h.label]),
                [["replace", POOL]],
            );
            const md = renderMarkdown(d, { stack: "dev", base: "main" });
            assert.match(
                md,
                /\*\*REPLACE\*\* `crd.projectcalico.org IPPool default-ipv4-ippool`: spec\.cidr: replaceOnChanges/,
            );
            assert.match(md, /`spec\.cidr` "172\.30\.0\.0\/16" -> "172\.31\.0\.0\/16"/);
        });
        it("trips on a removed CRD", () => {
            const head = base.filter(
                (e) => e.name !== "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
            );
            const d = diffPlans(base, head);
            assert.deepStrictEqual(
                d.guard.map((h) => h.action),
                ["delete"],
            );
            assert.match(d.guard[0].label, /ippools\.crd\.projectcalico\.org/);
        });
        it("trips when the stack points at another cluster (context): the provider and all it manages are replaced", async () => {
            const d = diffPlans(base, await planOf(tutorialRaw({ cluster: { context: "other" } })));
            assert.ok(
                d.guard.some((h) => h.label === "kubernetes" && h.action === "replace"),
                JSON.stringify(d.guard),
            );
            assert.ok(
                d.changes.filter((c) => c.category === "kubernetes").every((c) => c.verdict.action === "replace"),
            );
        });
        it("passes with the override label, still saying what it lets through", () => {
            const head = base.filter(
                (e) => e.name !== "customresourcedefinition-cluster-ippools.crd.projectcalico.org",
            );
            const md = renderMarkdown(diffPlans(base, head), { stack: "dev", base: "main", allowProtected: true });
            assert.match(md, /\[!WARNING\]/);
            assert.match(md, /The override label is set/);
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
                    inputs: { create: s === "preflight" ? `pull ${v}` : "x", triggers: [s === "preflight" ? v : "x"] },
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
        assert.match(md, /\| Node commands \| 0 \| 0 \| 5000 \| 0 \|/);
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
            const [devRegs, prodRegs] = [await readPlan(dev), await readPlan(prod)];
            const regs = (d: string) => (d === dev ? devRegs : prodRegs);
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
                [
                    "summary.md",
                    "resources.jsonl",
                    "nodes/index.tsv",
                    ...fs.readdirSync(path.join(d, "scripts")).map((f) => `scripts/${f}`),
                ]
                    .map((f) => fs.readFileSync(path.join(d, f), "utf8"))
                    .join("\n");
            for (const s of ['"tutorial"', "zhangjun-k8s0", "172.27.137.", "172.30.0.0/16"])
                assert.ok(!text(prod).includes(s), `${s} leaked into prod-bgp's plan`);
            for (const s of ["prod-bj", "bj-k8s-", "10.40.", "10.244.0.0/16", "bastion"])
                assert.ok(!text(dev).includes(s), `${s} leaked into dev's plan`);
            const indexed = fs.readFileSync(path.join(prod, "nodes", "index.tsv"), "utf8").split("\n");
            assert.ok(indexed.filter((l) => l && !l.startsWith("#")).every((n) => n.startsWith("bj-k8s-")));
        } finally {
            fs.rmSync(dev, { recursive: true, force: true });
            fs.rmSync(prod, { recursive: true, force: true });
        }
    });
});

describe("Typha crossing the threshold", () => {
    it("turning Typha on creates Typha's objects, changes calico-node, and deletes nothing", async () => {
        const off = await planOf(generatedRaw(50));
        const on = await planOf(generatedRaw(50, { typha: { nodeCount: 51 } }));
        const d = diffPlans(off, on);
        const env = fieldsOf(d, NODE_DS).filter((f) => f.path.includes(".env[name=FELIX_TYPHAK8SSERVICENAME]"));
        assert.ok(
            env.length,
            fieldsOf(d, NODE_DS)
                .map((f) => f.path)
                .join(),
        );
        assert.deepStrictEqual(
            d.changes
                .filter((c) => c.verdict.action === "create")
                .map((c) => c.label)
                .sort(),
            [
                "apps Deployment kube-system/calico-typha",
                "core Service kube-system/calico-typha",
                "policy PodDisruptionBudget kube-system/calico-typha",
            ],
        );
        assert.ok(!d.changes.some((c) => c.verdict.action === "delete"));
        const back = diffPlans(on, off).changes.filter((c) => c.verdict.action === "delete");
        assert.ok(
            back.every((c) => c.label.includes("calico-typha")),
            back.map((c) => c.label).join(),
        );
    });
});

/**
 * The proof cases, classified as pulumi up would (plan/rules.ts: pulumi-kubernetes diff.go and
 * provider.go DiffConfig, the engine's replaceOnChanges, pulumi-command triggers).
 */
describe("plan diff proof cases", () => {
    const k8s = (d: PlanDiff) =>
        d.changes
            .filter((c) => c.category === "kubernetes" && !c.label.includes("flannel-to-calico/f2c-"))
            .map((c) => `${c.verdict.action} ${c.label}`);
    const rolls = (d: PlanDiff) =>
        fieldsOf(d, NODE_DS).some((f) => f.path.startsWith("spec.template.metadata.annotations"));
    const inPlace = (d: PlanDiff) => {
        assert.ok(k8s(d).includes("update core ConfigMap kube-system/calico-config"), k8s(d).join("\n"));
        assert.ok(!k8s(d).some((c) => c.startsWith("replace") || c.startsWith("delete")), k8s(d).join("\n"));
        assert.ok(rolls(d), "calico-node rolls through its template annotation");
        assert.deepStrictEqual(d.guard, []);
    };
    it("network.mtu: calico-config updated in place, calico-node rolls, the guard passes", async () => {
        inPlace(diffPlans(await planOf(tutorialRaw()), await planOf(tutorialRaw({ network: { mtu: 1400 } }))));
    });
    it("Typha turning on: calico-config updated in place, calico-node rolls, the guard passes", async () => {
        inPlace(
            diffPlans(await planOf(generatedRaw(50)), await planOf(generatedRaw(50, { typha: { nodeCount: 51 } }))),
        );
    });
    it("a Calico version bump: updates only, calico-node rolls, the guard passes", async () => {
        const k = { kubernetesVersion: "1.28.4" };
        inPlace(
            diffPlans(
                await planOf(tutorialRaw({ cluster: k, calico: { version: "v3.26.5" } })),
                await planOf(tutorialRaw({ cluster: k, calico: { version: "v3.32.1" } })),
            ),
        );
    });
    it("a switch to vxlan in Calico's staged order: each stage updates in place, the guard passes", async () => {
        const k = { kubernetesVersion: "1.28.4" };
        const stage = (mode: string, vxlanTransition: boolean) =>
            planOf(tutorialRaw({ cluster: k, calico: { version: "v3.26.5" }, network: { mode, vxlanTransition } }));
        const [s0, s1, s2, s3] = [
            await stage("ipip", false),
            await stage("ipip", true),
            await stage("vxlan", true),
            await stage("vxlan", false),
        ];
        for (const [a, b] of [
            [s0, s1],
            [s1, s2],
            [s2, s3],
        ]) {
            const d = diffPlans(a, b);
            assert.ok(!k8s(d).some((c) => c.startsWith("replace") || c.startsWith("delete")), k8s(d).join("\n"));
            assert.deepStrictEqual(d.guard, []);
        }
        inPlace(diffPlans(s2, s3));
    });
    it("cluster.id changed: the provider and everything it manages are replaced, the guard trips", async () => {
        const d = diffPlans(await planOf(tutorialRaw()), await planOf(tutorialRaw({ cluster: { id: "another" } })));
        assert.ok(d.guard.some((h) => h.label === "kubernetes" && h.action === "replace"));
        assert.ok(k8s(d).every((c) => c.startsWith("replace")));
        assert.ok(
            d.guard.some((h) => h.label === POOL && h.action === "replace"),
            "and protect refuses the pool's",
        );
    });
    it("a kubeconfig path change with the same cluster.id changes nothing that matters", async () => {
        const d = diffPlans(
            await planOf(tutorialRaw()),
            await planOf(tutorialRaw({ cluster: { kubeconfig: "/etc/kube/tutorial.conf" } })),
        );
        assert.deepStrictEqual(
            d.changes.map((c) => `${c.verdict.action} ${c.label}`),
            ["update kubernetes"],
        );
        assert.deepStrictEqual(d.guard, []);
    });
});
