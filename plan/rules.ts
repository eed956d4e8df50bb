/**
 * What `pulumi up` will do to each resource of the plan: the one source of
 * truth the plan diff and its guard use. Pure functions over plan entries.
 *
 * The rules are the providers' and the engine's, carried over as facts:
 * - pulumi-kubernetes v4.32.0 provider/pkg/provider/diff.go forceNewProperties:
 *   `.metadata.name` and `.metadata.namespace` always replace; per kind the
 *   `forceNew` table below; a ConfigMap's `data`/`binaryData` replace unless
 *   the provider has enableConfigMapMutable "true" (and the object is not
 *   `immutable: true`); Secrets likewise with enableSecretMutable. Generic
 *   custom resources (crd.projectcalico.org) replace on name/namespace only.
 *   `apiVersion` is not forceNew: the typed classes alias their older versions.
 * - pulumi-kubernetes provider.go DiffConfig: an unchanged, set
 *   `clusterIdentifier` never replaces the provider; a changed one does; without
 *   one (or on the run that adds it) a kubeconfig/context change replaces it
 *   when the active cluster entry differs, which only the kubeconfig file tells.
 *   A replaced provider replaces every resource it manages.
 * - pulumi/pulumi engine applyReplaceOnChanges: a `replaceOnChanges` path
 *   replaces when the provider's diff has a key it prefixes.
 * - pulumi-command v1.2.1: a change of `triggers` replaces a command (its
 *   `create` runs again); any other input change is an update (`update` runs).
 * - `protect` makes the engine refuse a delete or a replace.
 *
 * A script written to scripts/ (plan/scripts.ts) is one field: it changed
 * when its sha256 or its params did; an asset likewise, by its sha256.
 */
import { isAssetRef, isScriptRef } from "./scripts";

/** One resource of the plan as resources.jsonl holds it. */
export interface PlanEntry {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly dependsOn: readonly string[];
    readonly provider?: string;
    readonly protect: boolean;
    readonly replaceOnChanges?: readonly string[];
    readonly inputs: Record<string, unknown>;
}

export type Action = "create" | "update" | "replace" | "delete" | "same";

export interface FieldChange {
    /** Exact path; named array items by name: `spec.template.spec.containers[name=calico-node].env[name=X].value`. */
    readonly path: string;
    readonly before?: unknown;
    readonly after?: unknown;
    /** Why this field replaces the resource, when it does. */
    readonly replaces?: string;
}

export interface Verdict {
    readonly action: Action;
    readonly fields: readonly FieldChange[];
    /** Why a replace or delete happens (beyond the fields). */
    readonly why?: string;
    /** Set when `protect` makes `pulumi up` refuse the action. */
    readonly refused?: string;
}

const K8S_RULES = "pulumi-kubernetes diff.go forceNewProperties";
const SELECTOR = ["spec.selector"];
/** forceNew by kind (apiVersion-independent where the table is). */
const FORCE_NEW: Record<string, readonly string[]> = {
    DaemonSet: SELECTOR,
    Deployment: SELECTOR,
    StatefulSet: [
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ],
    Job: ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
    Service: ["spec.clusterIP"],
    RoleBinding: ["roleRef"],
    ClusterRoleBinding: ["roleRef"],
    StorageClass: ["parameters", "provisioner"],
};

const under = (path: string, prefix: string) =>
    path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/** Paths whose change replaces this Kubernetes object, with the rule that says so. */
export function forceNewPaths(e: PlanEntry, provider?: PlanEntry): { path: string; rule: string }[] {
    const kind = String(e.inputs.kind ?? "");
    const api = String(e.inputs.apiVersion ?? "");
    const out = ["metadata.name", "metadata.namespace"].map((path) => ({ path, rule: K8S_RULES }));
    for (const path of FORCE_NEW[kind] ?? []) out.push({ path, rule: `${K8S_RULES} (${kind})` });
    if (kind === "PodDisruptionBudget" && api === "policy/v1beta1")
        out.push({ path: "spec", rule: `${K8S_RULES} (policy/v1beta1)` });
    const flag = (name: string) => String(provider?.inputs[name] ?? "false") === "true";
    const immutable = e.inputs.immutable === true;
    if (kind === "ConfigMap" && (!flag("enableConfigMapMutable") || immutable)) {
        const why = immutable ? "the ConfigMap is immutable" : "the provider's enableConfigMapMutable is off";
        for (const path of ["data", "binaryData"]) out.push({ path, rule: `${K8S_RULES}: ${why}` });
    }
    if (kind === "Secret") {
        const mutable = flag("enableSecretMutable") && !immutable;
        for (const path of mutable ? ["type"] : ["type", "stringData", "data"]) out.push({ path, rule: K8S_RULES });
    }
    return out;
}

/** Paths whose change replaces a resource of any type. */
export function replacePaths(e: PlanEntry, provider?: PlanEntry): { path: string; rule: string }[] {
    const own = (e.replaceOnChanges ?? []).map((path) => ({ path, rule: "replaceOnChanges (engine)" }));
    if (e.type.startsWith("command:"))
        return [...own, { path: "triggers", rule: "pulumi-command: a triggers change replaces" }];
    if (e.type.startsWith("kubernetes:")) return [...own, ...forceNewPaths(e, provider)];
    return own;
}

interface Named {
    readonly name: string;
}
const byName = (xs: unknown[]): Map<string, unknown> | undefined => {
    if (!xs.every((x) => x && typeof x === "object" && typeof (x as Named).name === "string")) return undefined;
    const m = new Map(xs.map((x) => [(x as Named).name, x]));
    return m.size === xs.length ? m : undefined;
};

/** Whether two script or asset references name the same content (and params). */
function sameReference(a: unknown, b: unknown): boolean {
    if (isScriptRef(a) && isScriptRef(b))
        return a.sha256 === b.sha256 && JSON.stringify(a.params ?? {}) === JSON.stringify(b.params ?? {});
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Every leaf that differs, with its old and new value; named array items are matched by name. */
export function fieldChanges(a: unknown, b: unknown, path = ""): FieldChange[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const at = (p: string) => (path ? `${path}.${p}` : p);
    const leaf = (): FieldChange[] => [
        { path: path || "(root)", ...(a !== undefined ? { before: a } : {}), ...(b !== undefined ? { after: b } : {}) },
    ];
    if (isScriptRef(a) || isScriptRef(b) || isAssetRef(a) || isAssetRef(b)) return sameReference(a, b) ? [] : leaf();
    if (Array.isArray(a) && Array.isArray(b)) {
        const ma = byName(a);
        const mb = byName(b);
        if (ma && mb) {
            const names = [...new Set([...ma.keys(), ...mb.keys()])];
            return names.flatMap((n) => fieldChanges(ma.get(n), mb.get(n), `${path}[name=${n}]`));
        }
        const n = Math.max(a.length, b.length);
        return Array.from({ length: n }, (_, i) => fieldChanges(a[i], b[i], `${path}[${i}]`)).flat();
    }
    const isObj = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
    if (isObj(a) && isObj(b)) {
        const ra = a as Record<string, unknown>;
        const rb = b as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
        return keys.flatMap((k) => fieldChanges(ra[k], rb[k], at(k)));
    }
    return leaf();
}

/** What happens to one resource; `providerReplaced` says why its provider is replaced, if it is. */
export function classify(before: PlanEntry | undefined, after: PlanEntry | undefined, ctx: Context = {}): Verdict {
    const protectedBy = before?.protect ? "protect" : undefined;
    if (!after) {
        const refused = protectedBy && "pulumi up refuses to delete a protected resource";
        return { action: "delete", fields: [], why: "it is gone from the plan", ...(refused ? { refused } : {}) };
    }
    if (!before) return { action: "create", fields: [] };
    const rules = replacePaths(after, ctx.provider);
    const fields = fieldChanges(before.inputs, after.inputs).map((f) => {
        const rule = rules.find((r) => under(f.path, r.path));
        return rule ? { ...f, replaces: rule.rule } : f;
    });
    const replacing = fields.filter((f) => f.replaces);
    const why =
        ctx.providerReplaced ?? (replacing.length ? `${replacing[0].path}: ${replacing[0].replaces}` : undefined);
    if (why) {
        const refused = protectedBy && "pulumi up refuses to replace a protected resource";
        return { action: "replace", fields, why, ...(refused ? { refused } : {}) };
    }
    return { action: fields.length ? "update" : "same", fields };
}

export interface Context {
    /** The Kubernetes provider entry the resource uses (its flags decide ConfigMap rules). */
    readonly provider?: PlanEntry;
    /** Set when the resource's provider is replaced, with the reason. */
    readonly providerReplaced?: string;
}

/** Whether `pulumi up` replaces a Kubernetes provider (and with it every object it manages). */
export function providerVerdict(before: PlanEntry | undefined, after: PlanEntry | undefined): Verdict {
    if (!before || !after) return classify(before, after);
    const fields = fieldChanges(before.inputs, after.inputs);
    const get = (e: PlanEntry, k: string) => (e.inputs[k] === undefined ? undefined : String(e.inputs[k]));
    const [idBefore, idAfter] = [get(before, "clusterIdentifier"), get(after, "clusterIdentifier")];
    const rule = "pulumi-kubernetes provider.go DiffConfig";
    if (idBefore !== undefined && idAfter !== undefined) {
        if (idBefore !== idAfter) {
            const why = `clusterIdentifier ${idBefore} -> ${idAfter}: another cluster (${rule})`;
            return { action: "replace", fields, why };
        }
        return { action: fields.length ? "update" : "same", fields };
    }
    const target = fields.filter((f) => ["kubeconfig", "context", "cluster"].includes(f.path));
    if (target.length) {
        const why =
            `${target.map((f) => f.path).join(" and ")} changed without an unchanged clusterIdentifier: the provider is ` +
            `replaced when the active cluster entry differs, which only the kubeconfig file tells (${rule}); set cluster.id`;
        return { action: "replace", fields, why };
    }
    return { action: fields.length ? "update" : "same", fields };
}
