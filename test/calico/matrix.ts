/** The supported versions × modes, their patched manifests and planned graphs, built once per test run. */
import * as fs from "fs";
import * as path from "path";
import { isTyphaObject, K8sObject, parseManifest } from "../../calico/manifest";
import { patchCalico, patchTypha } from "../../calico/patches";
import { CalicoParts } from "../../calico/manifest";
import { SupportedVersion } from "../../calico/sideEffects";
import { RawConfig, requireSettings, NetworkMode, Settings } from "../../settings";
import { Registration } from "../../plan/monitor";
import { build } from "../helpers/mocks";
import { tutorialRaw } from "../helpers/config";

export const DIR = process.env.CALICO_MANIFEST_DIR ?? path.join(__dirname, "..", "..", "..", "shared", "calico");
export const MODES: readonly NetworkMode[] = ["ipip", "bgp", "crossSubnet", "vxlan"];
export const KUBERNETES: Record<SupportedVersion, string> = {
    "v3.8.9": "1.14.2",
    "v3.26.5": "1.28.4",
    "v3.32.1": "1.34.1",
};
export const MANIFEST_DIR: Record<SupportedVersion, string> = {
    "v3.8.9": "v3.8",
    "v3.26.5": "v3.26",
    "v3.32.1": "v3.32",
};

/** The tutorial's three nodes on `version`, in `mode`; Typha forced on or off; extra config merged. */
export function rawFor(
    version: SupportedVersion,
    mode: NetworkMode,
    typha = false,
    extra: Partial<Record<keyof RawConfig, unknown>> = {},
): RawConfig {
    const base: Record<string, Record<string, unknown>> = {
        cluster: { kubernetesVersion: KUBERNETES[version] },
        calico: { version },
        network: { mode },
        typha: { enabled: typha },
    };
    for (const [k, v] of Object.entries(extra)) base[k] = { ...(base[k] ?? {}), ...(v as Record<string, unknown>) };
    return tutorialRaw(base);
}

export function settingsFor(version: SupportedVersion, mode: NetworkMode, typha = false): Settings {
    return requireSettings(rawFor(version, mode, typha), { stack: "t", dryRun: true });
}

const manifests = new Map<string, K8sObject[]>();
export function manifest(version: SupportedVersion, variant: "calico" | "calico-typha"): K8sObject[] {
    const key = `${version}/${variant}`;
    if (!manifests.has(key)) {
        const file = path.join(DIR, MANIFEST_DIR[version], `${variant}.yaml`);
        manifests.set(key, parseManifest(fs.readFileSync(file, "utf8"), key));
    }
    return JSON.parse(JSON.stringify(manifests.get(key))) as K8sObject[];
}

/** The patched Typha-variant objects of a version and mode (Typha on). */
export function patched(version: SupportedVersion, mode: NetworkMode): { parts: CalicoParts; typha: K8sObject[] } {
    const s = settingsFor(version, mode, true);
    const objs = manifest(version, "calico-typha");
    const { parts } = patchCalico(
        objs.filter((o) => !isTyphaObject(o)),
        { network: s.network, typha: s.typha, version: s.calico.version, maxUnavailable: 1 },
    );
    return { parts, typha: patchTypha(objs.filter(isTyphaObject), s.typha, undefined, parts.configMap) };
}

const built = new Map<string, Promise<Registration[]>>();
/** The planned registrations of a version and mode (cached per process). */
export function planned(version: SupportedVersion, mode: NetworkMode, typha = false): Promise<Registration[]> {
    const key = `${version}/${mode}/${typha}`;
    if (!built.has(key))
        built.set(
            key,
            build(rawFor(version, mode, typha)).then((b) => b.regs),
        );
    return built.get(key) as Promise<Registration[]>;
}

export const k8sObjects = (regs: readonly Registration[]) =>
    regs.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:"));

export function object(regs: readonly Registration[], kind: string, name: string): Registration {
    const r = k8sObjects(regs).find(
        (x) => x.inputs.kind === kind && (x.inputs.metadata as { name: string }).name === name,
    );
    if (!r) throw new Error(`no ${kind} ${name} in the plan`);
    return r;
}
