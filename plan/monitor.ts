/**
 * A Pulumi mock monitor that records each registration as the engine would
 * receive it: inputs (secrets redacted), parent, dependsOn, provider and the
 * options that the mocks' newResource does not see (protect, retainOnDelete,
 * ignoreChanges, replaceOnChanges, customTimeouts). Used by the offline plan
 * and by the wiring tests.
 *
 * Each registration's inputs are decoded once: the mocks' own registerResource
 * decodes them for newResource, and this monitor records that same object
 * (plan/redact.ts redacts it and describes assets from the wire form).
 */
import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties, MockMonitor, runtimeStore, waitForRPCs } from "../sdkInternals";
import { redact, wireAt } from "./redact";

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

/** The minimal mock state: keeps memory flat for large plans. Kubernetes objects echo their metadata. */
export const PLAN_MOCKS: pulumi.runtime.Mocks = {
    newResource: (args) => ({
        id: args.custom ? `${args.name}-id` : undefined,
        state: args.type.startsWith("kubernetes:") ? { metadata: args.inputs.metadata } : {},
    }),
    call: (args) => args.inputs,
};

export class PlanMonitor extends MockMonitor {
    /** The inputs the mocks' registerResource decoded for the request it is handling. */
    private decoded: Record<string, unknown> | undefined;
    /** How many registrations had to be decoded a second time (the SDK did not hand its decoding over). */
    decodedTwice = 0;

    constructor(
        private readonly sink: RegistrationSink,
        mocks: pulumi.runtime.Mocks = PLAN_MOCKS,
    ) {
        super({
            ...mocks,
            newResource: (args) => {
                this.decoded = args.inputs as Record<string, unknown>;
                return mocks.newResource(args);
            },
            call: (args) => mocks.call(args),
        });
    }

    async registerResource(
        req: RegisterRequest,
        callback: (err: unknown, resp?: RegisterResponse) => void,
    ): Promise<void> {
        this.decoded = undefined;
        let inputs: Record<string, unknown> = {};
        const registered = super.registerResource(req, (err: unknown, resp?: RegisterResponse) => {
            if (!err && resp) {
                try {
                    this.sink(this.registration(req, resp, inputs));
                } catch (e) {
                    return callback(e);
                }
            }
            callback(err, resp);
        });
        // MockMonitor.registerResource calls newResource before its first await
        // (@pulumi/pulumi 3.270 runtime/mocks.js); if it ever stops, decodedTwice counts it.
        inputs = this.decoded ?? this.decodeAgain(req);
        await registered;
    }

    private decodeAgain(req: RegisterRequest): Record<string, unknown> {
        this.decodedTwice++;
        return deserializeProperties(req.getObject());
    }

    private registration(req: RegisterRequest, resp: RegisterResponse, inputs: Record<string, unknown>): Registration {
        let wire: unknown;
        const wireLookup = (keys: readonly (string | number)[]) => {
            // Only assets need the wire form (their paths and texts are promises once decoded).
            wire = wire ?? req.getObject().toJavaScript();
            return wireAt(wire, keys);
        };
        return {
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
            inputs: redact(inputs, false, "", wireLookup) as Record<string, unknown>,
        };
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
