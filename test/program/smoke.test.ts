// Proves the toolchain: ts-node + mocha + pulumi.runtime.setMocks can register a
// remote.Command and a Kubernetes object on an explicit provider.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";

describe("toolchain smoke test", () => {
    const seen: pulumi.runtime.MockResourceArgs[] = [];
    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    seen.push(args);
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: (args) => args.inputs,
            },
            "flannel-to-calico",
            "smoke",
            false,
        );
    });

    it("registers a remote.Command and a ConfigMap on an explicit provider", async () => {
        const command = await import("@pulumi/command");
        const k8s = await import("@pulumi/kubernetes");
        const provider = new k8s.Provider("smoke", { kubeconfig: "/dev/null", context: "smoke" });
        const cmd = new command.remote.Command("smoke", { connection: { host: "192.0.2.1" }, create: "true" });
        const cm = new k8s.core.v1.ConfigMap(
            "smoke",
            { metadata: { name: "smoke", namespace: "default" }, data: { a: "b" } },
            { provider },
        );
        const urns = await Promise.all([cmd.urn, cm.urn].map((o) => new Promise<string>((r) => o.apply(r))));
        assert.ok(urns[0].endsWith("command:remote:Command::smoke"));
        assert.ok(urns[1].endsWith("kubernetes:core/v1:ConfigMap::smoke"));
        const cmArgs = seen.find((a) => a.type === "kubernetes:core/v1:ConfigMap");
        assert.ok(cmArgs, "ConfigMap reached the mocks");
        assert.match(cmArgs!.provider!, /pulumi:providers:kubernetes::smoke::/);
        assert.deepStrictEqual(cmArgs!.inputs.data, { a: "b" });
    });
});
