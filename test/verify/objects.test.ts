/**
 * The check's Kubernetes objects: least-privilege RBAC (every rule asserted), what the probes and
 * Jobs must tolerate and be, validity against the Kubernetes schema (kubernetes-models), and only
 * fields and API versions that every supported Kubernetes version serves (1.14 for v3.8.9 stacks
 * up to 1.36).
 */
import * as assert from "assert";
import { K8sObject } from "../../calico/manifest";
import { requireSettings, Settings } from "../../settings";
import {
    baselinePrefix,
    checkJob,
    JobMode,
    namespaceObject,
    networkFingerprint,
    probeDaemonSet,
    probeService,
} from "../../verify/objects";
import { planCheck } from "../../verify/plan";
import { rbacObjects, serviceAccounts } from "../../verify/rbac";
import { tutorialRaw } from "../helpers/config";

const settings = (extra: Record<string, unknown> = {}) =>
    requireSettings(tutorialRaw({ verify: { outsideAddress: "192.0.2.1:443" }, ...extra }), {
        stack: "t",
        dryRun: true,
    });
const job = (mode: JobMode, s: Settings = settings()) =>
    checkJob({
        mode,
        plan: planCheck(s),
        settings: s,
        baseline: baselinePrefix(planCheck(s), s),
        networkFingerprint: "f",
    });
const all = (): K8sObject[] => {
    const s = settings();
    const rbac = rbacObjects(baselinePrefix(planCheck(s), s), 3);
    return [
        namespaceObject(),
        ...serviceAccounts(),
        ...rbac.baseline,
        ...rbac.check,
        probeDaemonSet(planCheck(s).image),
        probeService(),
        job("baseline"),
        job("check"),
    ];
};
const podSpec = (o: K8sObject) => o.spec.template.spec;
const env = (o: K8sObject) =>
    Object.fromEntries(
        (podSpec(o).containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
    );

describe("the network check's objects", () => {
    describe("RBAC: least privilege", () => {
        const s = settings();
        const prefix = baselinePrefix(planCheck(s), s);
        const rbac = rbacObjects(prefix, 3);
        const rules = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind).map((o) => o.rules);
        it("the baseline lists probe pods, creates ConfigMaps in its namespace, lists NetworkPolicies: nothing else", () => {
            assert.deepStrictEqual(rules(rbac.baseline, "Role"), [
                [
                    { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
                    { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
                ],
            ]);
            assert.deepStrictEqual(rules(rbac.baseline, "ClusterRole"), [
                [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list"] }],
            ]);
            for (const b of rbac.baseline.filter((o) => o.kind.endsWith("Binding")))
                assert.deepStrictEqual(b.subjects, [
                    { kind: "ServiceAccount", name: "f2c-baseline", namespace: "flannel-to-calico" },
                ]);
            assert.strictEqual(rbac.baseline.find((o) => o.kind === "Role")!.metadata.namespace, "flannel-to-calico");
        });
        it("the check lists probe pods and reads its own baseline ConfigMaps by name: nothing else", () => {
            assert.deepStrictEqual(rules(rbac.check, "Role"), [
                [
                    { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
                    {
                        apiGroups: [""],
                        resources: ["configmaps"],
                        verbs: ["get"],
                        resourceNames: [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`],
                    },
                ],
            ]);
            assert.ok(!rbac.check.some((o) => o.kind.startsWith("Cluster")), "no cluster-wide right for the check");
            assert.deepStrictEqual(rbac.check.find((o) => o.kind === "RoleBinding")!.subjects, [
                { kind: "ServiceAccount", name: "f2c-check", namespace: "flannel-to-calico" },
            ]);
        });
        it("the probes have no token and no role; each Job runs as its own account", () => {
            const probe = serviceAccounts().find((o) => o.metadata.name === "f2c-probe")!;
            assert.strictEqual(probe.automountServiceAccountToken, false);
            assert.strictEqual(podSpec(probeDaemonSet("i")).automountServiceAccountToken, false);
            assert.ok(![...rbac.baseline, ...rbac.check].some((o) => JSON.stringify(o).includes('"f2c-probe"')));
            assert.strictEqual(podSpec(job("baseline")).serviceAccountName, "f2c-baseline");
            assert.strictEqual(podSpec(job("check")).serviceAccountName, "f2c-check");
            assert.ok(!JSON.stringify(rbac).includes('"*"'), "no wildcard");
        });
    });

    describe("pods", () => {
        it("probes run on every node: every taint tolerated, pod network (not host network)", () => {
            const ds = probeDaemonSet("i");
            assert.deepStrictEqual(podSpec(ds).tolerations, [{ operator: "Exists" }]);
            assert.strictEqual(podSpec(ds).hostNetwork, undefined);
            assert.strictEqual(podSpec(ds).nodeSelector, undefined);
            assert.deepStrictEqual(probeService().spec.selector, ds.spec.selector.matchLabels);
            assert.strictEqual(probeService().spec.type, "ClusterIP");
        });
        it("a Job: one checker pod per planned node, never retried, its failures in the termination message", () => {
            const j = job("check");
            const p = podSpec(j);
            assert.deepStrictEqual(p.tolerations, [{ operator: "Exists" }]);
            assert.strictEqual(j.spec.parallelism, 3);
            assert.strictEqual(j.spec.completions, 3);
            assert.strictEqual(j.spec.backoffLimit, 0);
            assert.strictEqual(p.restartPolicy, "Never");
            assert.deepStrictEqual(
                p.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields,
                [
                    {
                        key: "metadata.name",
                        operator: "In",
                        values: ["zhangjun-k8s01", "zhangjun-k8s02", "zhangjun-k8s03"],
                    },
                ],
            );
            assert.strictEqual(
                p.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
                "kubernetes.io/hostname",
            );
            assert.strictEqual(p.containers[0].terminationMessagePolicy, "FallbackToLogsOnError");
            assert.deepStrictEqual(j.metadata.annotations, {
                "pulumi.com/timeoutSeconds": String(planCheck(settings()).timeoutSeconds),
                "pulumi.com/replaceUnready": "true",
            });
            assert.strictEqual(j.spec.activeDeadlineSeconds, planCheck(settings()).deadlineSeconds);
        });
        it("the Jobs carry what the checker needs: targets, checkers, DNS names, outside address, acknowledgements", () => {
            const s = settings({ verify: { outsideAddress: "192.0.2.1:443", acknowledgeNetworkPolicies: ["prod/*"] } });
            const b = env(job("baseline", s));
            assert.strictEqual(b.F2C_MODE, "baseline");
            assert.strictEqual(b.F2C_NODES, "zhangjun-k8s01 zhangjun-k8s02 zhangjun-k8s03");
            assert.strictEqual(b.F2C_ALL, "1");
            assert.strictEqual(b.F2C_OUTSIDE, "192.0.2.1:443");
            assert.strictEqual(b.F2C_ACK, "prod/*");
            assert.strictEqual(
                b.F2C_DNS_NAMES,
                "f2c-probe.flannel-to-calico.svc.cluster.local kubernetes.default.svc.cluster.local",
            );
            const c = env(job("check", s));
            assert.strictEqual(c.F2C_MODE, "check");
            assert.strictEqual(c.F2C_ACK, undefined, "only the baseline judges NetworkPolicies");
            assert.strictEqual(c.F2C_BASELINE, b.F2C_BASELINE);
        });
        it("rollout.recheck and a network change give the Jobs a new template (the provider replaces, so they run again)", () => {
            const a = job("baseline");
            const b = job("baseline", settings({ rollout: { recheck: "2" } }));
            assert.notDeepStrictEqual(a.spec.template, b.spec.template);
            assert.notStrictEqual(env(a).F2C_BASELINE, env(b).F2C_BASELINE, "a new baseline gets new ConfigMaps");
            const f = (mode: string) => networkFingerprint(settings({ network: { mode } }), "sha");
            assert.notStrictEqual(f("ipip"), f("vxlan"));
            assert.strictEqual(f("ipip"), f("ipip"));
        });
    });

    describe("against Kubernetes schemas", () => {
        // kubernetes-models is ESM only; keep TypeScript from turning import() into require().
        const importEsm = new Function("m", "return import(m)") as (
            m: string,
        ) => Promise<Record<string, new (d: unknown) => { validate(): void }>>;
        it("every object is valid for the kubernetes-models schema (the newest Kubernetes)", async () => {
            for (const o of all()) {
                const mod = await importEsm(`kubernetes-models/${o.apiVersion.includes("/") ? o.apiVersion : "v1"}`);
                try {
                    new mod[o.kind](o).validate();
                } catch (e) {
                    assert.fail(`${o.apiVersion} ${o.kind} ${o.metadata.name}: ${(e as Error).message}`);
                }
            }
        });
        it("every apiVersion is served from Kubernetes 1.14 through 1.36", () => {
            // Served since (and not removed through 1.36): Kubernetes API deprecation guide.
            const SERVED: Record<string, string> = {
                v1: "1.0",
                "apps/v1": "1.9",
                "batch/v1": "1.2",
                "rbac.authorization.k8s.io/v1": "1.8",
            };
            for (const o of all()) assert.ok(SERVED[o.apiVersion], `${o.apiVersion} ${o.kind} is not in the table`);
        });
        it("uses only fields Kubernetes 1.14 already had (a new field must be added here with its version)", () => {
            // Field (pod fields under PodSpec) -> the Kubernetes version that introduced it.
            const SINCE: Record<string, string> = {
                "PodSpec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchFields[]":
                    "1.11",
                "PodSpec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[]": "1.6",
                "PodSpec.automountServiceAccountToken": "1.6",
                "PodSpec.containers[].terminationMessagePolicy": "1.7",
                "PodSpec.containers[].name": "1.0",
                "PodSpec.containers[].image": "1.0",
                "PodSpec.containers[].command[]": "1.0",
                "PodSpec.containers[].env[]": "1.0",
                "PodSpec.containers[].ports[]": "1.0",
                "PodSpec.containers[].readinessProbe.httpGet": "1.0",
                "PodSpec.containers[].readinessProbe.periodSeconds": "1.0",
                "PodSpec.containers[].resources": "1.0",
                "PodSpec.restartPolicy": "1.0",
                "PodSpec.serviceAccountName": "1.0",
                "PodSpec.terminationGracePeriodSeconds": "1.0",
                "PodSpec.tolerations[]": "1.6",
                "Job.spec.backoffLimit": "1.8",
                "Job.spec.activeDeadlineSeconds": "1.2",
                "Job.spec.completions": "1.2",
                "Job.spec.parallelism": "1.2",
                "DaemonSet.spec.selector": "1.9",
                "DaemonSet.spec.updateStrategy": "1.9",
                "Service.spec.type": "1.0",
                "Service.spec.selector": "1.0",
                "Service.spec.ports[]": "1.0",
                "ServiceAccount.automountServiceAccountToken": "1.6",
                "Role.rules[]": "1.8",
                "ClusterRole.rules[]": "1.8",
                "RoleBinding.roleRef": "1.8",
                "RoleBinding.subjects[]": "1.8",
                "ClusterRoleBinding.roleRef": "1.8",
                "ClusterRoleBinding.subjects[]": "1.8",
            };
            const paths = new Set<string>();
            const walk = (v: unknown, p: string): void => {
                if (/\.(labels|annotations|metadata|selector|matchLabels)$/.test(p) && !p.endsWith("spec.selector"))
                    return;
                if (Array.isArray(v)) v.forEach((x) => walk(x, `${p}[]`));
                else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`);
                else paths.add(p);
            };
            for (const o of all()) {
                const { apiVersion, kind, metadata, ...rest } = o;
                assert.ok(apiVersion && kind && metadata);
                walk(rest, o.kind);
            }
            const minor = (v: string) => Number(v.split(".")[1]);
            for (const p of paths) {
                const norm = p.replace(/^(DaemonSet|Job)\.spec\.template\.spec\./, "PodSpec.");
                const key = Object.keys(SINCE).find(
                    (k) => norm === k || norm.startsWith(`${k}.`) || norm.startsWith(`${k}[`),
                );
                assert.ok(key, `${p}: not in the table of fields and their Kubernetes versions`);
                assert.ok(minor(SINCE[key!]) <= 14, `${p} needs Kubernetes ${SINCE[key!]}`);
            }
        });
    });
});
