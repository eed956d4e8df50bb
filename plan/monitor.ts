/**
 * A Pulumi mock monitor that records each registration as the engine would
 * receive it: inputs (secrets redacted), parent, dependsOn, provider and the
 * options that the mocks' newResource does not see (protect, retainOnDelete,
 * ignoreChanges, replaceOnChanges, customTimeouts). Used by the offline plan
 * and by the wiring tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { Secret } from "../settings/secret";
import {
    deserializeProperties,
    MockMonitor,
    runtimeStore,
    specialSecretSig,
    specialSigKey,
    waitForRPCs,
} from "../sdkInternals";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly dependsOn: readonly string[];
    readonly provider: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    /** Property paths whose change the engine turns into a replace. */
    readonly replaceOnChanges: readonly string[];
    /** The provider's await bounds, e.g. { create: "720s" }; empty when unset. */
    readonly customTimeouts: { readonly create?: string; readonly update?: string; readonly delete?: string };
    readonly deleteBeforeReplace: boolean;
    readonly aliases: readonly unknown[];
    /** Outputs the engine stores as secrets (not written to resources.json). */
    readonly additionalSecretOutputs: readonly string[];
    readonly inputs: Record<string, unknown>;
}

/** Keys whose values are credentials wherever they appear inside a secret. */
const CREDENTIAL_KEYS = new Set(["privateKey", "password", "privateKeyPassword", "token", "agentSocketPath"]);

/**
 * Unwraps Pulumi secrets and redacts them leaf by leaf with "[secret]".
 * A secret object keeps its shape; inside it, credential keys and every leaf
 * that is not plainly identifying (host, port, user, hostKey) are redacted.
 */
export function redact(v: unknown, insideSecret = false, keyName = ""): unknown {
    if (v && typeof v === "object" && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig) {
        return redact((v as { value: unknown }).value, true, keyName);
    }
    if (Array.isArray(v)) return v.map((x) => redact(x, insideSecret, keyName));
    if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = redact(x, insideSecret, k);
        return out;
    }
    if (CREDENTIAL_KEYS.has(keyName) && v !== undefined && v !== null) return Secret.placeholder;
    if (insideSecret && !SHOWN_IN_SECRETS.has(keyName) && v !== undefined && v !== null) return Secret.placeholder;
    return v;
}
/** Leaves shown inside a secret object: a connection's identity, never its credentials. */
const SHOWN_IN_SECRETS = new Set(["host", "port", "user", "hostKey", "dialErrorLimit", "perDialTimeout"]);

/** The non-empty custom timeouts of a request. */
function timeoutsOf(t: ReturnType<NonNullable<RegisterRequest["getCustomtimeouts"]>>): Registration["customTimeouts"] {
    if (!t) return {};
    const out: { create?: string; update?: string; delete?: string } = {};
    if (t.getCreate()) out.create = t.getCreate();
    if (t.getUpdate()) out.update = t.getUpdate();
    if (t.getDelete()) out.delete = t.getDelete();
    return out;
}

/** The getters of the SDK's RegisterResourceRequest (a protobuf message) that this monitor reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getDependenciesList(): string[];
    getProvider(): string;
    getProtect?(): boolean;
    getRetainondelete?(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList?(): string[];
    getCustomtimeouts?(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getDeletebeforereplace?(): boolean;
    getReplaceonchangesList?(): string[];
    getAliasesList?(): { toObject?(): unknown }[];
    getAdditionalsecretoutputsList?(): string[];
    getObject(): Parameters<typeof deserializeProperties>[0];
}
interface RegisterResponse {
    getUrn(): string;
}

export type RegistrationSink = (r: Registration) => void;

export class PlanMonitor extends MockMonitor {
    constructor(
        private readonly sink: RegistrationSink,
        mocks?: pulumi.runtime.Mocks,
    ) {
        super(
            mocks ?? {
                // Minimal state: keeps memory flat for large plans. Kubernetes objects echo
                // their metadata so a component can read names back.
                newResource: (args) => ({
                    id: args.custom ? `${args.name}-id` : undefined,
                    state: args.type.startsWith("kubernetes:") ? { metadata: args.inputs.metadata } : {},
                }),
                call: (args) => args.inputs,
            },
        );
    }

    async registerResource(
        req: RegisterRequest,
        callback: (err: unknown, resp?: RegisterResponse) => void,
    ): Promise<void> {
        await super.registerResource(req, (err: unknown, resp?: RegisterResponse) => {
            if (!err && resp) {
                try {
                    const inputs = deserializeProperties(req.getObject());
                    this.sink({
                        type: req.getType(),
                        name: req.getName(),
                        urn: resp.getUrn(),
                        custom: req.getCustom(),
                        parent: req.getParent() || "",
                        dependsOn: req.getDependenciesList(),
                        provider: req.getProvider() || "",
                        protect: req.getProtect?.() ?? false,
                        retainOnDelete: req.getRetainondelete?.() ?? false,
                        ignoreChanges: req.getIgnorechangesList(),
                        replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
                        customTimeouts: timeoutsOf(req.getCustomtimeouts?.()),
                        deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
                        aliases: (req.getAliasesList?.() ?? []).map((a) => (a.toObject ? a.toObject() : a)),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
                        inputs: redact(inputs) as Record<string, unknown>,
                    });
                } catch (e) {
                    return callback(e);
                }
            }
            callback(err, resp);
        });
    }
}

/**
 * Installs a PlanMonitor as the Pulumi runtime's monitor, with the same
 * feature flags `pulumi.runtime.setMocks` turns on.
 */
export function installPlanMonitor(
    sink: RegistrationSink,
    opts: { project: string; stack: string; preview: boolean },
): PlanMonitor {
    const monitor = new PlanMonitor(sink);
    pulumi.runtime.setMockOptions(monitor, opts.project, opts.stack, opts.preview);
    // setMocks sets these same flags.
    const store = runtimeStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = true;
    store.supportsInvokeTransforms = true;
    return monitor;
}

/** Resolves when every registration the program started has reached the monitor. */
export async function settled(): Promise<void> {
    await waitForRPCs();
}

/**
 * Runs `fn` without source-mapped stack traces. The SDK records
 * `new Error().stack` for every promise it tracks and keeps it on the promise;
 * with ts-node's source-map hook each costs a lookup, and at thousands of
 * resources those strings were most of the heap and time.
 */
export async function withoutStackTraces<T>(fn: () => Promise<T>): Promise<T> {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    Error.stackTraceLimit = 0;
    try {
        return await fn();
    } finally {
        Error.prepareStackTrace = prepare;
        Error.stackTraceLimit = limit;
    }
}
