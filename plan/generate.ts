/** Generated stacks of any size, for the benchmark and the tests: nodes with addresses in 10.20.0.0/16. */
import * as yaml from "js-yaml";

/** An example pinned host key (the tutorial's first node's): generated stacks are never applied. */
export const EXAMPLE_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPv45fTPnuwLs6vE4BUFXMkSKwPXXmYuFtYzyLJ3T4E0";

/** `count` nodes with addresses in 10.20.0.0/16, named node-0001... */
export function generatedNodes(count: number): object[] {
    return Array.from({ length: count }, (_, i) => ({
        name: `node-${String(i + 1).padStart(4, "0")}`,
        address: `10.20.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`,
        hostKey: EXAMPLE_HOST_KEY,
    }));
}

/** A Pulumi.<stack>.yaml for a generated cluster of `count` nodes (Kubernetes 1.28, Calico v3.26.5, ipip). */
export function generatedStackFile(count: number, calicoVersion = "v3.26.5"): string {
    return yaml.dump({
        config: {
            "flannel-to-calico:cluster": {
                name: `bench-${count}`,
                kubernetesVersion: "1.28.4",
                podCidr: "172.30.0.0/16",
                serviceCidr: "10.254.0.0/16",
                context: `bench-${count}`,
            },
            "flannel-to-calico:network": { mode: "ipip" },
            "flannel-to-calico:calico": { version: calicoVersion },
            "flannel-to-calico:nodes": generatedNodes(count),
        },
    });
}
