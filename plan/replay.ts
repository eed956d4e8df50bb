/**
 * The SDK-only floor of the offline plan (npm run bench): registers a plan's
 * resources again through the Pulumi SDK under the same mocks, with the same
 * types, names, inputs (scripts filled back in, connection and all), parents,
 * providers, dependsOn and options, and nothing else: no manifest, no
 * program logic, no files written. What the plan costs above this is the
 * program's and the plan's own work.
 *
 * Resources are constructed in the plan's order, each once the gates it
 * depends on are registered, as the program registers a wave once the last
 * one's gate is (gatesOf).
 */
import * as pulumi from "@pulumi/pulumi";
import { Secret } from "../settings/secret";
import { providerUrn } from "./diff";
import { PlanEntry } from "./rules";
import { ScriptTexts } from "./read";
import { AssetRef, isAssetRef, isScriptRef } from "./scripts";

/** A plan entry as read back, with the options the plan records beside the ones diff rules read. */
export interface ReplayEntry extends PlanEntry {
    readonly parent?: string;
    readonly retainOnDelete?: boolean;
    readonly ignoreChanges?: string[];
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs?: string[];
    readonly customTimeouts?: pulumi.CustomTimeouts;
    readonly aliases?: { urn?: string; spec?: Record<string, string | boolean> }[];
}

function asset(ref: AssetRef, texts: ScriptTexts): pulumi.asset.Asset | pulumi.asset.Archive {
    if (isScriptRef(ref)) return new pulumi.asset.StringAsset(texts.text(ref));
    switch (ref.asset) {
        case "file":
            return new pulumi.asset.FileAsset(ref.path ?? "");
        case "remote":
            return new pulumi.asset.RemoteAsset(ref.uri ?? "");
        case "file-archive":
            return new pulumi.asset.FileArchive(ref.path ?? "");
        case "remote-archive":
            return new pulumi.asset.RemoteArchive(ref.uri ?? "");
        case "asset-archive":
            return new pulumi.asset.AssetArchive(
                Object.fromEntries(Object.entries(ref.assets ?? {}).map(([k, a]) => [k, asset(a, texts)])),
            );
        default:
            return new pulumi.asset.StringAsset("");
    }
}

const holdsSecret = (v: unknown): boolean =>
    v === Secret.placeholder || (!!v && typeof v === "object" && Object.values(v).some(holdsSecret));

/** The inputs as the program passed them: scripts filled in, assets rebuilt, redacted values secret again. */
export function replayInputs(inputs: Record<string, unknown>, texts: ScriptTexts): Record<string, unknown> {
    const restore = (v: unknown): unknown => {
        if (isAssetRef(v)) return asset(v, texts);
        if (isScriptRef(v)) return texts.text(v);
        if (Array.isArray(v)) return v.map(restore);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restore(x)]));
        return v;
    };
    return Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [k, holdsSecret(v) ? pulumi.secret(restore(v)) : restore(v)]),
    );
}

class Custom extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, inputs, opts);
    }
}
class Provider extends pulumi.ProviderResource {
    constructor(pkg: string, name: string, inputs: pulumi.Inputs, opts: pulumi.ResourceOptions) {
        super(pkg, name, inputs, opts);
    }
}
/** The program's own components: no inputs of their own, outputs registered empty. */
class Component extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

type ResourceClass = new (name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** A property path of a loaded module, if it is there. */
function lookup(moduleName: string, keys: readonly string[]): ResourceClass | undefined {
    let v: unknown;
    try {
        v = require(moduleName);
    } catch {
        return undefined;
    }
    for (const k of keys) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
    return typeof v === "function" ? (v as ResourceClass) : undefined;
}

/**
 * The provider SDK's own class for a type token, as the program uses it:
 * `command:remote:Command` is @pulumi/command's remote.Command,
 * `kubernetes:apps/v1:DaemonSet` is @pulumi/kubernetes's apps.v1.DaemonSet,
 * another Kubernetes kind its apiextensions.CustomResource, a provider its package's Provider.
 */
export function typedClass(type: string): ResourceClass | undefined {
    const [pkg, mod, name] = type.split(":");
    if (pkg === "pulumi" && mod === "providers") return lookup(`@pulumi/${name}`, ["Provider"]);
    if (pkg !== "kubernetes") return lookup(`@pulumi/${pkg}`, [mod, name]);
    const [group, version] = mod.split("/");
    return (
        lookup("@pulumi/kubernetes", [group.split(".")[0], version, name]) ??
        lookup("@pulumi/kubernetes", ["apiextensions", "CustomResource"])
    );
}

/**
 * A provider class sends its boolean settings as JSON text ("true"): given back as booleans, it sends the
 * same (@pulumi/kubernetes 4.x provider.js: `pulumi.output(args?.enableConfigMapMutable).apply(JSON.stringify)`).
 */
function asArgs(type: string, inputs: pulumi.Inputs): pulumi.Inputs {
    if (!type.startsWith("pulumi:providers:")) return inputs;
    const bool = (v: unknown) => (v === "true" ? true : v === "false" ? false : v);
    return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, bool(v)]));
}

const packageOf = (type: string) => type.split(":")[0];

function aliasesOf(e: ReplayEntry): pulumi.Input<pulumi.URN | pulumi.Alias>[] | undefined {
    if (!e.aliases?.length) return undefined;
    return e.aliases.map((a) => {
        if (a.urn) return a.urn;
        // Only what the spec sets: the SDK fills an absent key from the resource itself
        // (@pulumi/pulumi 3.270 resource.js: `a.hasOwnProperty("name") ? a.name : defaultName`).
        const keys: [keyof pulumi.Alias, string][] = [
            ["name", "name"],
            ["type", "type"],
            ["stack", "stack"],
            ["project", "project"],
            ["parent", "parenturn"],
        ];
        const s = a.spec ?? {};
        return Object.fromEntries(
            keys.filter(([, k]) => typeof s[k] === "string" && s[k]).map(([to, k]) => [to, s[k]]),
        );
    });
}

/** Registers one entry; `live` holds the resources it may refer to by URN. */
export function register(
    e: ReplayEntry,
    live: ReadonlyMap<string, pulumi.Resource>,
    texts: ScriptTexts,
    project: string,
): pulumi.Resource {
    const get = (urn: string) => {
        const r = live.get(urn);
        if (!r) throw new Error(`${e.name} refers to ${urn}, which is not registered before it`);
        return r;
    };
    const opts: pulumi.CustomResourceOptions = {
        parent: e.parent ? get(e.parent) : undefined,
        dependsOn: e.dependsOn.map(get),
        provider: e.provider ? (get(providerUrn(e.provider)) as pulumi.ProviderResource) : undefined,
        protect: e.protect || undefined,
        retainOnDelete: e.retainOnDelete || undefined,
        ignoreChanges: e.ignoreChanges?.length ? e.ignoreChanges : undefined,
        replaceOnChanges: e.replaceOnChanges?.length ? [...e.replaceOnChanges] : undefined,
        deleteBeforeReplace: e.deleteBeforeReplace || undefined,
        additionalSecretOutputs: e.additionalSecretOutputs?.length ? e.additionalSecretOutputs : undefined,
        customTimeouts: e.customTimeouts,
        aliases: aliasesOf(e),
    };
    const inputs = replayInputs(e.inputs, texts);
    if (packageOf(e.type) === project) return new Component(e.type, e.name, { ...opts, provider: undefined });
    // A provider SDK's class adds its own aliases, replaceOnChanges and secret outputs again: @pulumi/command's
    // remote/command.js merges { replaceOnChanges: ["triggers[*]"] }, and mergeOptions concatenates lists.
    const Typed = typedClass(e.type);
    if (Typed) return new Typed(e.name, asArgs(e.type, inputs), { ...opts, aliases: undefined });
    if (e.type.startsWith("pulumi:providers:"))
        return new Provider(e.type.slice("pulumi:providers:".length), e.name, inputs, opts);
    return new Custom(e.type, e.name, inputs, opts);
}

/** The resources each entry refers to: parent, provider and dependencies. */
const refsOf = (e: ReplayEntry) => [
    ...(e.parent ? [e.parent] : []),
    ...(e.provider ? [providerUrn(e.provider)] : []),
    ...e.dependsOn,
];

/**
 * Gates: the dependencies that more than one resource waits on (a wave's gate,
 * Calico's prerequisites). The program constructs what follows a wave's gate
 * only once the gate is registered; the floor does the same with every gate.
 */
export function gatesOf(entries: readonly ReplayEntry[]): Set<string> {
    const waiting = new Map<string, number>();
    for (const e of entries) for (const d of e.dependsOn) waiting.set(d, (waiting.get(d) ?? 0) + 1);
    return new Set([...waiting].filter(([, n]) => n > 1).map(([urn]) => urn));
}

/** Per URN that an entry refers to, the index of the last entry that does. */
export function lastUses(entries: readonly ReplayEntry[]): Map<string, number> {
    const last = new Map<string, number>();
    entries.forEach((e, i) => refsOf(e).forEach((u) => last.set(u, i)));
    return last;
}

/**
 * Registers every entry in the plan's order, each once the gates it depends on
 * are registered (and at most `window` registering at once, if given);
 * resolves when all are registered. Resources no later entry refers to are let go.
 */
export async function replay(
    entries: readonly ReplayEntry[],
    texts: ScriptTexts,
    opts: { project: string; window?: number },
): Promise<number> {
    const window = opts.window ?? Infinity;
    const gates = gatesOf(entries);
    const last = lastUses(entries);
    const live = new Map<string, pulumi.Resource>();
    const gateDone = new Map<string, Promise<void>>();
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const all: Promise<void>[] = [];
    for (let i = 0; i < entries.length; i++) {
        while (inFlight >= window) await new Promise<void>((r) => (wake = r));
        const e = entries[i];
        for (const d of e.dependsOn) {
            const gate = gateDone.get(d);
            if (gate) await gate;
        }
        const r = register(e, live, texts, opts.project);
        if (last.has(e.urn)) live.set(e.urn, r);
        inFlight++;
        const done = new Promise<void>((resolve) =>
            r.urn.apply(() => {
                inFlight--;
                wake?.();
                resolve();
            }),
        );
        all.push(done);
        if (gates.has(e.urn)) gateDone.set(e.urn, done);
        for (const urn of refsOf(e)) if (last.get(urn) === i) live.delete(urn);
    }
    await Promise.all(all);
    return entries.length;
}
