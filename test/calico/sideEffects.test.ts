/**
 * One test per fact of calico/sideEffects.ts, per supported version and mode:
 * what Calico's own tools would have done is done by the program. Each test's
 * title names the fact's upstream source.
 */
import * as assert from "assert";
import * as fs from "fs";
import Ajv from "ajv";
import { SIDE_EFFECTS, SUPPORTED, SideEffect, SupportedVersion } from "../../calico/sideEffects";
import { ipPool, IPPOOL_NAME } from "../../calico/managed";
import { CONFIG_HASH_ANNOTATION, consumedConfigKeys } from "../../calico/patches";
import { missingPrerequisites, tolerates, untolerated, WINDOW_TAINTS } from "../../calico/ordering";
import { K8sObject } from "../../calico/manifest";
import { NetworkMode } from "../../settings";
import { DIR, manifest, MODES, object, patched, planned, settingsFor } from "./matrix";
import { jsSchema } from "../helpers/calico";

type Env = { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string } } };
const envOf = (ds: K8sObject): Env[] =>
    ds.spec.template.spec.containers.find((c: { name: string }) => c.name === "calico-node").env;
const envValue = (ds: K8sObject, name: string) => envOf(ds).find((e) => e.name === name);
const cite = (f: SideEffect) => f.sources.map((s) => `${s.repo}@${s.ref.split(" ")[0]}:${s.path}`).join("; ");

/** The IPPool spec fields of v3.8's API (libcalico-go lib/apis/v3/ippool.go at 5a23a805); its CRD has no schema. */
const V38_POOL_FIELDS = ["cidr", "vxlanMode", "ipipMode", "natOutgoing", "disabled", "blockSize", "nodeSelector"];

function poolValidator(version: SupportedVersion) {
    const crd = manifest(version, "calico").find((o) => o.metadata.name === "ippools.crd.projectcalico.org")!;
    const schema = crd.spec.versions?.[0]?.schema?.openAPIV3Schema;
    if (!schema) return undefined;
    return new Ajv({ strict: false, allErrors: true, logger: false }).compile(jsSchema(schema) as object);
}

type Check = (version: SupportedVersion, mode: NetworkMode) => void | Promise<void>;

const CHECKS: Record<string, Check> = {
    "felix-encapsulation-v3.8": (version, mode) => {
        const { parts } = patched(version, mode);
        const pool = ipPool("172.30.0.0/16", settingsFor(version, mode).network).spec;
        const ipip = envValue(parts.calicoNode, "FELIX_IPINIPENABLED")?.value;
        const vxlan = envValue(parts.calicoNode, "FELIX_VXLANENABLED")?.value;
        // Whatever the pool uses, Felix has on, as maybeEnableIPIP / maybeEnableVXLAN left it.
        if (pool.ipipMode !== "Never") assert.strictEqual(ipip, "true");
        if (pool.vxlanMode !== "Never") assert.strictEqual(vxlan, "true");
        // The BIRD modes share one setting, so switching among them stays a pool-only change.
        assert.deepStrictEqual([ipip, vxlan], mode === "vxlan" ? ["false", "true"] : ["true", "false"]);
    },
    "felix-encapsulation-from-pools": (version, mode) => {
        const { parts } = patched(version, mode);
        for (const n of ["FELIX_IPINIPENABLED", "FELIX_VXLANENABLED"])
            assert.strictEqual(envValue(parts.calicoNode, n), undefined, `${n} would override the pools`);
        const pool = ipPool("172.30.0.0/16", settingsFor(version, mode).network).spec;
        for (const m of [pool.ipipMode, pool.vxlanMode]) assert.match(m, /^(Never|Always|CrossSubnet)$/);
    },
    "vxlan-mtu-v3.8": (version, mode) => {
        const { parts } = patched(version, mode);
        for (const n of ["FELIX_IPINIPMTU", "FELIX_VXLANMTU"])
            assert.deepStrictEqual(envValue(parts.calicoNode, n)?.valueFrom?.configMapKeyRef, {
                name: "calico-config",
                key: "veth_mtu",
            });
        const upstream = manifest(version, "calico").find((o) => o.kind === "DaemonSet")!;
        assert.strictEqual(envValue(upstream, "FELIX_VXLANMTU"), undefined, "v3.8's manifest lacks it");
    },
    "ippool-client-defaults": async (version, mode) => {
        const regs = await planned(version, mode);
        const pool = object(regs, "IPPool", IPPOOL_NAME).inputs as unknown as K8sObject;
        assert.strictEqual(pool.spec.nodeSelector, "all()");
        assert.strictEqual(pool.spec.blockSize, 26);
        const validate = poolValidator(version);
        if (!validate) {
            for (const k of Object.keys(pool.spec)) assert.ok(V38_POOL_FIELDS.includes(k), `v3.8 has no ${k}`);
            return;
        }
        assert.ok(validate(pool), JSON.stringify(validate.errors));
        assert.deepStrictEqual(pool.spec.allowedUses, ["Workload", "Tunnel"]);
        assert.strictEqual(pool.spec.assignmentMode, version === "v3.32.1" ? "Automatic" : undefined);
    },
    "bgpconfiguration-default-v3.32": async (version, mode) => {
        const regs = await planned(version, mode);
        const conf = object(regs, "BGPConfiguration", "default");
        assert.strictEqual(conf.provider.includes("pulumi:providers:kubernetes"), true);
        if (mode === "vxlan") assert.deepStrictEqual(conf.inputs.spec, {});
    },
    "typha-tolerations-v3.8": (version, mode) => {
        const dep = patched(version, mode).typha.find((o) => o.kind === "Deployment")!;
        assert.deepStrictEqual(untolerated(dep.spec.template.spec.tolerations), []);
        const upstream = manifest(version, "calico-typha").find(
            (o) => o.metadata.name === "calico-typha" && o.kind === "Deployment",
        )!;
        assert.strictEqual(untolerated(upstream.spec.template.spec.tolerations).length, 2, "upstream v3.8 lacks them");
    },
    "not-ready-taints": (version, mode) => {
        // Kubernetes' ToleratesTaint, on the manifests' own tolerations.
        const { parts } = patched(version, mode);
        assert.deepStrictEqual(untolerated(parts.calicoNode.spec.template.spec.tolerations), []);
        assert.strictEqual(untolerated(parts.kubeControllers.spec.template.spec.tolerations).length, 2);
        const [noSchedule, noExecute] = WINDOW_TAINTS;
        assert.ok(tolerates({ operator: "Exists" }, noExecute));
        assert.ok(
            !tolerates(
                { key: noExecute.key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
                noExecute,
            ),
        );
        assert.ok(!tolerates({ key: "CriticalAddonsOnly", operator: "Exists" }, noSchedule));
    },
    "configmap-env-read-at-start": (version, mode) => {
        const { parts, typha } = patched(version, mode);
        const keys = consumedConfigKeys(parts.calicoNode, parts.configMap);
        assert.deepStrictEqual(keys, ["calico_backend", "cni_network_config", "typha_service_name", "veth_mtu"]);
        assert.match(parts.calicoNode.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION], /^[0-9a-f]{64}$/);
        const dep = typha.find((o) => o.kind === "Deployment")!;
        assert.deepStrictEqual(consumedConfigKeys(dep, parts.configMap), [], "Typha reads no calico-config key");
        assert.strictEqual(dep.spec.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION], undefined);
    },
    "manifest-order": async (version, mode) => {
        const regs = await planned(version, mode, true);
        const typha = regs.filter((r) => r.parent.endsWith("::typha")).map((r) => r.urn);
        assert.ok(typha.length >= 3, "Typha's Service, Deployment and PodDisruptionBudget");
        assert.deepStrictEqual(missingPrerequisites(regs, "calico-node", typha), []);
        assert.deepStrictEqual(missingPrerequisites(regs, "calico-kube-controllers"), []);
    },
};

describe("Calico's side effects, done by the program (calico/sideEffects.ts)", () => {
    before(function () {
        if (!fs.existsSync(DIR)) this.skip();
    });
    it("every fact has a test, and names a source", () => {
        assert.deepStrictEqual(
            SIDE_EFFECTS.map((f) => f.id).filter((id) => !CHECKS[id]),
            [],
        );
        for (const f of SIDE_EFFECTS) assert.ok(f.sources.length && f.sources.every((s) => s.repo && s.path && s.ref));
    });
    for (const f of SIDE_EFFECTS) {
        describe(`${f.id} [${cite(f)}]`, () => {
            for (const version of SUPPORTED.filter((v) => f.versions.includes(v)))
                for (const mode of MODES)
                    it(`${version} ${mode}`, async () => {
                        await CHECKS[f.id](version, mode);
                    });
        });
    }
    it("the v3.8-only facts do not apply to v3.26.5 and v3.32.1, and the reverse", () => {
        const { parts } = patched("v3.26.5", "ipip");
        assert.strictEqual(envValue(parts.calicoNode, "FELIX_IPINIPENABLED"), undefined);
        assert.throws(() => CHECKS["felix-encapsulation-from-pools"]("v3.8.9", "ipip"), /override the pools/);
    });
});
