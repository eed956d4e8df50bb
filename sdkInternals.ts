/**
 * The Pulumi SDK internals this program relies on, reached through this one
 * module so that an SDK upgrade breaks here and nowhere else. Each is used
 * by the SDK's own `setMocks` or config code in @pulumi/pulumi 3.270; none is
 * in the SDK's public typings. test/program/sdk.test.ts checks each exists.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export { MockMonitor, deserializeProperties, specialSecretSig, specialSigKey };

/** Whether a config key (or a path inside it) is stored encrypted: runtime/config.ts. */
export function isConfigSecret(fullKey: string): boolean {
    const m = require("@pulumi/pulumi/runtime/config") as { isConfigSecret: (k: string) => boolean };
    return m.isConfigSecret(fullKey);
}

/** The runtime's feature flags that `setMocks` turns on: runtime/state.ts getStore(). */
export function runtimeStore(): Record<string, boolean> {
    const m = require("@pulumi/pulumi/runtime/state") as { getStore: () => Record<string, boolean> };
    return m.getStore();
}

/** Resolves when every RPC the program started has reached the monitor: runtime/settings.ts. */
export function waitForRPCs(): Promise<void> {
    const m = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
    return m.waitForRPCs();
}
