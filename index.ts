/**
 * flannel-to-calico: moves a binary-installed Kubernetes cluster from Flannel to
 * Calico and keeps Calico configured. One stack per cluster; see README.md.
 */
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import { requireSettings } from "./settings";
import { rawConfigFromRuntime } from "./settings/sources";
import { buildMigration } from "./program";
import { isConfigSecret } from "./sdkInternals";

// Every key of the namespace, so an unknown or mistyped key fails here as in the offline plan.
const { raw, problems } = rawConfigFromRuntime(pulumi.runtime.allConfig(), isConfigSecret);
// Validation runs before any resource is created and reports every problem at once.
const settings = requireSettings(raw, { stack: pulumi.getStack(), dryRun: pulumi.runtime.isDryRun() }, problems);
for (const w of settings.warnings) void pulumi.log.warn(w);

const expandPath = (p: string) => (p === "~" || p.startsWith("~/") ? os.homedir() + p.slice(1) : p);

// The engine awaits the exported promise: a failure here fails `pulumi up` with its message.
export = buildMigration(settings, { expandPath, writeLibrary: true }).then((m) => ({
    ...m.outputs,
    nodeResults: m.nodeResults,
}));
