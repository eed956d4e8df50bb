/**
 * The manifest pipeline, before any resource exists: load the pinned variant,
 * parse it, check it against the cluster, patch it. Every input problem is a
 * SettingsError, so it is reported like a config problem.
 */
import { Settings, SettingsError } from "../settings";
import {
    apiVersionProblems,
    CalicoParts,
    cniHostPaths,
    isTyphaObject,
    K8sObject,
    manifestImages,
    parseManifest,
} from "./manifest";
import { patchCalico, patchTypha } from "./patches";
import { ipPoolClientDefaults, ipPoolSchemaFields } from "./sideEffects";
import { autodetectionProblems } from "./autodetect";
import { loadManifest, ManifestEnv } from "./source";

export interface PreparedCalico {
    readonly sha256: string;
    /** Where the manifest came from, for the plan's summary. */
    readonly source: string;
    readonly parts: CalicoParts;
    /** Typha's objects; empty when Typha is off. */
    readonly typha: readonly K8sObject[];
    /** Every image the pods run (mirror applied): preflight pulls them. */
    readonly images: readonly string[];
    /** install-cni's host paths, which kubelet must agree with. */
    readonly cni: { readonly binDir: string; readonly netDir: string };
    /** The IPPool fields libcalico's client would have defaulted, for those this version's CRD has. */
    readonly poolDefaults: Readonly<Record<string, unknown>>;
    readonly warnings: readonly string[];
}

/** Loads, checks and patches the manifest variant the settings call for. Throws SettingsError on bad input. */
export async function prepareCalico(s: Settings, env: ManifestEnv = {}): Promise<PreparedCalico> {
    const variant = s.typha.enabled ? "calico-typha" : "calico";
    const m = await loadManifest(s.calico, variant, env);
    const what = `the Calico ${s.calico.versionText} manifest (${m.source})`;
    const objects = parseManifest(m.text, what);
    const problems = apiVersionProblems(objects, s.cluster.kubernetesVersion, what);
    if (s.typha.enabled && !objects.some((o) => o.kind === "Deployment" && o.metadata.name === "calico-typha")) {
        problems.push(
            `flannel-to-calico:typha is on (${s.typha.reason}) but ${what} has no calico-typha Deployment: ` +
                "give calico.manifest the calico-typha.yaml variant, or set typha.enabled: false",
        );
    }
    problems.push(...autodetectionProblems(s.calico.version, s.network.ipAutodetectionMethod));
    if (problems.length) throw new SettingsError(problems);
    const { parts, warnings } = patchCalico(objects, {
        network: s.network,
        imageRegistry: s.calico.imageRegistry,
        typha: s.typha,
        version: s.calico.version,
        maxUnavailable: s.rollout.calicoNodeMaxUnavailable,
    });
    const typha = s.typha.enabled
        ? patchTypha(objects.filter(isTyphaObject), s.typha, s.calico.imageRegistry, parts.configMap)
        : [];
    const poolCrd = parts.crds.find((c) => c.metadata.name === "ippools.crd.projectcalico.org");
    return {
        sha256: m.sha256,
        source: m.source,
        parts,
        typha,
        images: manifestImages([...parts.objects, ...typha]),
        cni: cniHostPaths(parts.calicoNode),
        poolDefaults: ipPoolClientDefaults(ipPoolSchemaFields(poolCrd)),
        warnings,
    };
}
