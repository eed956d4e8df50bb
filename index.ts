/**
 * flannel-to-calico: moves a binary-installed Kubernetes cluster from Flannel to
 * Calico and keeps Calico configured. One stack per cluster; see README.md.
 */
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, requireSettings } from "./settings";
import { rawConfigFromRuntime } from "./settings/sources";
import { buildMigration } from "./program";
import { isConfigSecret } from "./sdkInternals";

const config = new pulumi.Config(CONFIG_NAMESPACE);
const raw = rawConfigFromRuntime(
    (name) => config.getObject<unknown>(name),
    (name) => isConfigSecret(`${CONFIG_NAMESPACE}:${name}`),
);
// Validation runs before any resource is created and reports every problem at once.
const settings = requireSettings(raw, { stack: pulumi.getStack(), dryRun: pulumi.runtime.isDryRun() });
for (const w of settings.warnings) void pulumi.log.warn(w);

const expandPath = (p: string) => (p === "~" || p.startsWith("~/") ? os.homedir() + p.slice(1) : p);

// The engine awaits the exported promise: a failure here fails `pulumi up` with its message.
export = buildMigration(settings, { expandPath }).then((m) => m.outputs);
