import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { requireSettings } from "../../settings";
import { Secret } from "../../settings/secret";
import { writePlan } from "../../plan/planner";
import { FAKE_PRIVATE_KEY, generatedRaw, settingsOf } from "../helpers/config";
import { needsManifests } from "../setup";

const ROOT = path.join(__dirname, "..", "..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "f2c-plan-"));
const jsonl = (dir: string) =>
    fs
        .readFileSync(path.join(dir, "resources.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
function readTree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
        }
    };
    walk(dir);
    return out;
}

describe("the offline plan", () => {
    let dir: string;
    before(async function () {
        needsManifests(this);
        dir = tmp();
        const s = settingsOf(
            {
                ssh: { privateKey: new Secret(FAKE_PRIVATE_KEY) },
                cluster: { kubeconfig: new Secret("apiVersion: v1\nusers: [{user: {token: KUBETOKEN}}]\n") },
            },
            { stack: "dev" },
        );
        await writePlan(s, dir);
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("writes summary.md, kubernetes/, scripts/, nodes/index.tsv and resources.jsonl", () => {
        for (const f of ["summary.md", "resources.jsonl", "kubernetes", "scripts", "nodes/index.tsv"])
            assert.ok(fs.existsSync(path.join(dir, f)), f);
        assert.ok(!fs.existsSync(path.join(dir, "resources.json")), "the older layout's single array is gone");
        const rows = fs
            .readFileSync(path.join(dir, "nodes", "index.tsv"), "utf8")
            .split("\n")
            .filter((l) => l.startsWith("zhangjun-k8s02\t"))
            .map((l) => l.split("\t").slice(1, 3).join(" "));
        assert.deepStrictEqual(rows, ["library source", "preflight create", "cutover create"]);
    });
    it("names Kubernetes files NNN-kind-namespace|cluster-name.yaml and numbers them so none depends on a later one", () => {
        const files = fs.readdirSync(path.join(dir, "kubernetes")).sort();
        for (const f of files)
            assert.match(f, /^\d{3}-[a-z]+-(kube-system|flannel-to-calico|cluster)-[a-z0-9.-]+\.yaml$/);
        assert.ok(
            files.includes("023-ippool-cluster-default-ipv4-ippool.yaml") ||
                files.some((f) => /-ippool-cluster-default-ipv4-ippool\.yaml$/.test(f)),
        );
        const regs = jsonl(dir) as { urn: string; name: string; type: string; dependsOn: string[] }[];
        const fileIndex = new Map<string, number>();
        for (const f of files) {
            const o = yaml.load(fs.readFileSync(path.join(dir, "kubernetes", f), "utf8")) as {
                kind: string;
                metadata: { name: string; namespace?: string };
            };
            const r = regs.find(
                (x) => x.name === `${o.kind.toLowerCase()}-${o.metadata.namespace ?? "cluster"}-${o.metadata.name}`,
            )!;
            fileIndex.set(r.urn, Number(f.slice(0, 3)));
        }
        for (const [urn, i] of fileIndex)
            for (const d of regs.find((r) => r.urn === urn)!.dependsOn) {
                if (fileIndex.has(d))
                    assert.ok(fileIndex.get(d)! < i, `${urn} (#${i}) depends on #${fileIndex.get(d)}`);
            }
    });
    it("lists every registration with its options in resources.jsonl, one per line", () => {
        const regs = jsonl(dir);
        const optional = ["aliases", "additionalSecretOutputs", "customTimeouts"];
        for (const r of regs)
            assert.deepStrictEqual(
                Object.keys(r).filter((k) => !optional.includes(k)),
                [
                    "type",
                    "name",
                    "urn",
                    "parent",
                    "dependsOn",
                    "provider",
                    "protect",
                    "retainOnDelete",
                    "ignoreChanges",
                    "replaceOnChanges",
                    "deleteBeforeReplace",
                    "inputs",
                ],
            );
        const pool = regs.find((r) => r.name === "ippool-cluster-default-ipv4-ippool")!;
        assert.strictEqual(pool.protect, true);
        assert.strictEqual(pool.retainOnDelete, true);
        assert.deepStrictEqual(pool.replaceOnChanges, ["spec.cidr", "spec.blockSize"]);
    });
    it("contains no secret: keys and kubeconfig content show as [secret]", () => {
        const all = Object.values(readTree(dir)).join("\n");
        assert.ok(!all.includes("TEST-ONLY-NOT-A-REAL-KEY"));
        assert.ok(!all.includes("KUBETOKEN"));
        assert.ok(all.includes('"privateKey":"[secret]"'));
        assert.ok(all.includes('"kubeconfig":"[secret]"'));
    });
    it("is byte-identical on a second run", async () => {
        const again = tmp();
        try {
            const s = settingsOf(
                {
                    ssh: { privateKey: new Secret(FAKE_PRIVATE_KEY) },
                    cluster: { kubeconfig: new Secret("apiVersion: v1\nusers: [{user: {token: KUBETOKEN}}]\n") },
                },
                { stack: "dev" },
            );
            await writePlan(s, again);
            assert.deepStrictEqual(readTree(again), readTree(dir));
        } finally {
            fs.rmSync(again, { recursive: true, force: true });
        }
    });
    it("says the outage window, Typha's reason and the manifest's sha256 in summary.md", () => {
        const sum = fs.readFileSync(path.join(dir, "summary.md"), "utf8");
        assert.match(sum, /maintenance-window migration/);
        assert.match(sum, /Typha \| off: 3 nodes is 50 or fewer/);
        assert.match(sum, /manifest sha256 `c1a2eb14c41ffba4fff432e9a3d2576315fe191339fe30e6fc2988193a77bdba`/);
        assert.match(sum, /wave 3 \(1\): zhangjun-k8s03/);
    });
    for (const [n, count, why] of [
        [40, 0, /Typha \| off: 40 nodes is 50 or fewer/],
        [60, 1, /Typha \| 1 replica\(s\): 60 nodes is above 50 .* -> 1/],
        [250, 2, /Typha \| 2 replica\(s\): 250 nodes is above 50 .* -> 2/],
        [4000, 20, /Typha \| 20 replica\(s\): 4000 nodes is above 50 .*ceil\(4000 \/ 200\) = 20 -> 20/],
    ] as const) {
        it(`says why Typha runs, and registers ${count} replica(s), at ${n} nodes`, async () => {
            const d = tmp();
            try {
                const raw = n > 250 ? generatedRaw(60, { typha: { nodeCount: n } }) : generatedRaw(n);
                const { files } = await writePlan(requireSettings(raw, { stack: "big", dryRun: true }), d);
                assert.match(fs.readFileSync(path.join(d, "summary.md"), "utf8"), why);
                const typha = files.kubernetes.find((f) => /-deployment-kube-system-calico-typha\.yaml$/.test(f));
                if (count === 0) assert.strictEqual(typha, undefined);
                else
                    assert.strictEqual(
                        (yaml.load(fs.readFileSync(path.join(d, typha!), "utf8")) as { spec: { replicas: number } })
                            .spec.replicas,
                        count,
                    );
            } finally {
                fs.rmSync(d, { recursive: true, force: true });
            }
        });
    }
    it("refuses to wipe a directory that is not a plan", async () => {
        const d = tmp();
        fs.writeFileSync(path.join(d, "precious.txt"), "x");
        await assert.rejects(writePlan(settingsOf({}, { stack: "x" }), d), /not a plan directory/);
        assert.ok(fs.existsSync(path.join(d, "precious.txt")));
        fs.rmSync(d, { recursive: true, force: true });
    });
    it("npm run plan exits non-zero with every validation message on bad config", () => {
        const d = tmp();
        const file = path.join(d, "Pulumi.bad.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
                .replace("podCidr: 172.30.0.0/16", "podCidr: 192.168.0.0./16")
                .replace("mode: ipip", "mode: ipvlan"),
        );
        const r = spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                path.join(ROOT, "tools", "plan.ts"),
                "--config",
                file,
                "--out",
                path.join(d, "out"),
            ],
            { encoding: "utf8", cwd: ROOT },
        );
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stderr, /flannel-to-calico:cluster\.podCidr is "192\.168\.0\.0\.\/16"/);
        assert.match(r.stderr, /flannel-to-calico:network\.mode is "ipvlan"/);
        assert.match(r.stderr, /plan: validating settings/);
        assert.ok(!fs.existsSync(path.join(d, "out")), "nothing written on bad config");
        fs.rmSync(d, { recursive: true, force: true });
    });
});
