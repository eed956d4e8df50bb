/** Shared by the Calico tests: settings per version and mode, the upstream manifests, tree diffs. */
import * as fs from "fs";
import * as path from "path";
import { K8sObject, parseManifest } from "../../calico/manifest";
import { NetworkMode, Settings } from "../../settings";
import { manifestDir, settingsOf } from "./config";

export const MODES: NetworkMode[] = ["ipip", "bgp", "crossSubnet", "vxlan"];
export const K8S: Record<string, string> = { "v3.8.9": "1.14.2", "v3.26.5": "1.28.4", "v3.32.1": "1.34.1" };

export function settings(version: string, mode: NetworkMode, extra: Record<string, unknown> = {}): Settings {
    return settingsOf(
        { cluster: { kubernetesVersion: K8S[version] }, calico: { version }, network: { mode, ...extra } },
        { stack: "t" },
    );
}
export function manifest(dir: string, variant: string): K8sObject[] {
    return parseManifest(
        fs.readFileSync(path.join(manifestDir(), dir, `${variant}.yaml`), "utf8"),
        `${dir}/${variant}`,
    );
}
export const VERSION: Record<string, { major: number; minor: number }> = {
    "v3.8.9": { major: 3, minor: 8 },
    "v3.26.5": { major: 3, minor: 26 },
    "v3.32.1": { major: 3, minor: 32 },
};
/** Paths of leaves that differ between two JSON trees. */
export function diffPaths(a: unknown, b: unknown, p = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        return [...keys].flatMap((k) =>
            diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${p}/${k}`),
        );
    }
    return [p];
}
export const envOf = (objs: readonly K8sObject[]) =>
    objs.find((o) => o.kind === "DaemonSet")!.spec.template.spec.containers[0].env as {
        name: string;
        value?: string;
    }[];

/**
 * A CRD's openAPIV3Schema with Go's case-insensitive "(?i)" patterns, which JavaScript regexes cannot
 * express, made case-insensitive by hand (the one liberty the schema tests take).
 */
export function jsSchema(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(jsSchema);
    if (!v || typeof v !== "object") return v;
    return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
            k,
            k === "pattern" && typeof x === "string" && x.includes("(?i)")
                ? x.replace("(?i)", "").replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)
                : jsSchema(x),
        ]),
    );
}
