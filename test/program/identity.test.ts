/**
 * Resource identity: the URNs the committed stacks register. A URN that
 * disappears is a delete (or, for protected objects, a refused `pulumi up`)
 * on a live stack. test/fixtures/urns-<stack>.txt holds the URNs as released;
 * a change that retires one must remove it from the fixture on purpose (and
 * say in its commit why live stacks are safe), or carry `aliases`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { requireSettings } from "../../settings";
import { rawConfigFromStackFile } from "../../settings/sources";
import { nodeCommandName, nodeCommandOf, objectResourceName, waveGateName } from "../../identity";
import { NODE_COMMAND_NAMES } from "../../nodes/steps";
import { buildSettings } from "../helpers/mocks";

const ROOT = path.join(__dirname, "..", "..");

async function urnsOf(stack: string): Promise<Set<string>> {
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const settings = requireSettings(rawConfigFromStackFile(text).raw, { stack, dryRun: true });
    const { regs } = await buildSettings(settings);
    return new Set(regs.map((r) => r.urn));
}

/** Released URNs the program no longer registers. */
const lost = (released: readonly string[], now: ReadonlySet<string>) => released.filter((u) => !now.has(u));

describe("resource identity", () => {
    for (const stack of ["dev", "prod-bgp"]) {
        it(`keeps every released URN of the committed stack ${stack}`, async function () {
            this.timeout(120000);
            const released = fs
                .readFileSync(path.join(ROOT, "test", "fixtures", `urns-${stack}.txt`), "utf8")
                .split("\n")
                .filter(Boolean);
            const now = await urnsOf(stack);
            const gone = lost(released, now);
            assert.deepStrictEqual(
                gone.slice(0, 10),
                [],
                `${gone.length} released URN(s) would be deleted or replaced`,
            );
        });
    }
    it("the URN check can fail: a renamed step loses its URNs", async () => {
        const now = await urnsOf("dev");
        const renamed = new Set([...now].map((u) => u.replace(/-preflight$/, "-pre-flight")));
        assert.strictEqual(lost([...now], renamed).length, 3);
    });
    it("splits node command names back exactly, for every command", () => {
        for (const [i, command] of NODE_COMMAND_NAMES.entries()) {
            assert.deepStrictEqual(nodeCommandOf(nodeCommandName("k8s-01", command)), {
                node: "k8s-01",
                index: i + 1,
                command,
            });
        }
        assert.strictEqual(nodeCommandOf(waveGateName(0)), undefined);
    });
    it("names Kubernetes objects by kind, namespace and name, never by apiVersion", () => {
        const o = { kind: "CustomResourceDefinition", metadata: { name: "ippools.crd.projectcalico.org" } };
        assert.strictEqual(objectResourceName(o), "customresourcedefinition-cluster-ippools.crd.projectcalico.org");
        assert.strictEqual(
            objectResourceName({ kind: "DaemonSet", metadata: { name: "calico-node", namespace: "kube-system" } }),
            "daemonset-kube-system-calico-node",
        );
    });
});
