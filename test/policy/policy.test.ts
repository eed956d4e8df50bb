/**
 * The policy pack's policies, called the way CrossGuard calls them, with
 * arguments built from the offline plan of the committed stacks (type,
 * inputs, protect). Each policy also has a case that must fail.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { requireSettings } from "../../settings";
import { rawConfigFromStackFile } from "../../settings/sources";
import { Registration } from "../../plan/monitor";
import { POLICIES, protectedCalicoObjects, protectedObjectsPresent, providerClusterIdentity } from "../../policy/rules";
import { buildSettings } from "../helpers/mocks";
import { needsManifests } from "../setup";

const ROOT = path.join(__dirname, "..", "..");

/** What CrossGuard hands a resource policy, for one registration of the plan. */
function resourceArgs(
    r: Registration,
    over: { protect?: boolean; props?: Record<string, unknown> } = {},
): ResourceValidationArgs {
    const unused = () => {
        throw new Error("not used by these policies");
    };
    return {
        type: r.type,
        props: over.props ?? r.inputs,
        urn: r.urn,
        name: r.name,
        opts: {
            protect: over.protect ?? r.protect,
            ignoreChanges: [...r.ignoreChanges],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [...r.additionalSecretOutputs],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: unused,
        notApplicable: unused,
    } as unknown as ResourceValidationArgs;
}

function stackArgs(regs: readonly Registration[]): StackValidationArgs {
    const resources = regs.map(
        (r) => ({ type: r.type, props: r.inputs, urn: r.urn, name: r.name }) as unknown as PolicyResource,
    );
    return { resources, stackTags: new Map(), getConfig: () => ({}) } as unknown as StackValidationArgs;
}

function violations(regs: readonly Registration[]): string[] {
    const out: string[] = [];
    for (const p of POLICIES) {
        const report = (m: string) => out.push(`${p.name}: ${m}`);
        if ("validateResource" in p && typeof p.validateResource === "function") {
            for (const r of regs) void p.validateResource(resourceArgs(r), report);
        }
        if ("validateStack" in p) void p.validateStack(stackArgs(regs), report);
    }
    return out;
}

const validate = (p: typeof protectedCalicoObjects, args: ResourceValidationArgs) => {
    const out: string[] = [];
    if (typeof p.validateResource === "function") void p.validateResource(args, (m) => out.push(m));
    return out;
};

describe("the policy pack", () => {
    const plans = new Map<string, Registration[]>();
    before(async function () {
        needsManifests(this);
        this.timeout(120000);
        for (const stack of ["dev", "prod-bgp"]) {
            const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            const { regs } = await buildSettings(
                requireSettings(rawConfigFromStackFile(text).raw, { stack, dryRun: true }),
            );
            plans.set(stack, regs);
        }
    });
    for (const stack of ["dev", "prod-bgp"]) {
        it(`passes the committed stack ${stack}`, () => {
            assert.deepStrictEqual(violations(plans.get(stack) ?? []), []);
        });
    }
    it("fails an IPPool, calico-config or calico-node registered without protect", () => {
        for (const name of [
            "ippool-cluster-default-ipv4-ippool",
            "configmap-kube-system-calico-config",
            "daemonset-kube-system-calico-node",
        ]) {
            const r = plans.get("dev")?.find((x) => x.name === name);
            assert.ok(r, name);
            assert.strictEqual(validate(protectedCalicoObjects, resourceArgs(r, { protect: false })).length, 1, name);
        }
    });
    it("fails a Kubernetes provider without a clusterIdentifier", () => {
        const p = plans.get("dev")?.find((x) => x.type === "pulumi:providers:kubernetes");
        assert.ok(p);
        const props = { ...p.inputs };
        assert.ok(props.clusterIdentifier, "the plan carries it");
        delete props.clusterIdentifier;
        assert.match(
            validate(providerClusterIdentity, resourceArgs(p, { props }))[0] ?? "",
            /no clusterIdentifier: set cluster.id/,
        );
    });
    it("fails a stack from which the IPPool is gone (a delete)", () => {
        const regs = (plans.get("dev") ?? []).filter((r) => r.name !== "ippool-cluster-default-ipv4-ippool");
        const out: string[] = [];
        void protectedObjectsPresent.validateStack(stackArgs(regs), (m) => out.push(m));
        assert.deepStrictEqual(out, [
            "IPPool default-ipv4-ippool is missing from the stack: pulumi up would delete it",
        ]);
    });
});
