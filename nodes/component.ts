/**
 * NodePreparation: per node, at most three resources: the step library
 * shipped once (`<node>-library`, a CopyToRemote of a content-addressed file),
 * `<node>-preflight` and `<node>-cutover` (short commands that run the
 * library's steps). Every node's preflight runs before the first cutover
 * (gate `preflight-complete`); cutovers run wave by wave after what the
 * program names (Calico's base objects). Thin wiring: the library and the
 * commands come from bundle.ts, the connection from connection.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { CUTOVER_GATE, nodeCommandName, nodeLibraryName, PREFLIGHT_GATE, TYPES, waveGateName } from "../identity";
import { NodeSettings, Settings } from "../settings/types";
import { invocation, library, Library, summarize } from "./bundle";
import { bipOf } from "../settings/dockerBridge";
import { nodeConnection, toConnectionArgs } from "./connection";
import { FlannelCheck, NodeScriptParams, parameterValues, renderStepScript } from "./render";
import { NODE_COMMANDS, NodeCommand, StepName } from "./steps";

export interface NodePreparationArgs {
    /** The validated stack settings: nodes, waves, ssh, recheck. */
    readonly settings: Settings;
    /** Calico images to pull in preflight, mirror applied. Default: none. */
    readonly images?: readonly string[];
    /** install-cni's binary host path in the manifest. Default: /opt/cni/bin. */
    readonly cniBinDir?: string;
    /** install-cni's config host path in the manifest. Default: /etc/cni/net.d. */
    readonly cniNetDir?: string;
    /** The local directory of the library file, for CopyToRemote (index.ts writes it). Default: .flannel-to-calico */
    readonly localLibraryDir?: string;
    /** The stack's explicit command provider. Required. */
    readonly provider: command.Provider;
    /** Calico's MTU and IP autodetection, which preflight checks against Flannel's facts. Default: see render.ts. */
    readonly flannelCheck?: FlannelCheck;
}

/** Resolves when a resource's registration has completed. */
function registered<T extends pulumi.Resource>(r: T): Promise<T> {
    return new Promise((resolve) => {
        r.urn.apply(() => resolve(r));
    });
}

export class NodePreparation extends pulumi.ComponentResource {
    readonly library: Library;
    /** Resolves to the gate after every node's preflight. */
    readonly preflightDone: Promise<pulumi.Resource>;
    private readonly args: NodePreparationArgs;
    private readonly shipped = new Map<string, pulumi.Resource>();
    private readonly stdout = new Map<string, pulumi.Output<string>[]>();

    constructor(name: string, args: NodePreparationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.nodePreparation, name, {}, opts);
        this.args = args;
        this.library = library();
        const s = args.settings;
        // Registered in slices, one after another: the engine runs them as --parallel allows
        // either way, and the program holds one slice in flight, not the whole cluster.
        let done: Promise<pulumi.Resource[]> = Promise.resolve([]);
        for (const wave of s.rollout.waves) {
            done = done.then(async (all) => [...all, ...(await Promise.all(wave.map((n) => this.preflight(n))))]);
        }
        this.preflightDone = done.then((all) => {
            if (!all.length) throw new pulumi.ResourceError("the stack has no nodes to prepare", this);
            return registered(this.gate(PREFLIGHT_GATE, all));
        });
    }

    /** The exact per-step script of a node (for tests and the plan): the same steps and parameters as shipped. */
    stepScript(node: string, step: StepName): string {
        return renderStepScript(step, this.params(this.node(node)));
    }

    /**
     * Registers the cutover, wave by wave: wave 1 after every preflight and `after`,
     * wave k+1 after wave k's gate. Resolves to the last wave's gate.
     */
    cutover(after: readonly pulumi.Resource[]): Promise<pulumi.Resource> {
        const waves = this.args.settings.rollout.waves;
        // One gate before the first wave, so each node of it depends on one resource, not on Calico's every object.
        let last: Promise<pulumi.Resource> = this.preflightDone.then((g) =>
            registered(this.gate(CUTOVER_GATE, [g, ...after])),
        );
        let prev: Promise<readonly pulumi.Resource[]> = last.then((g) => [g]);
        for (const [w, wave] of waves.entries()) {
            last = prev.then((deps) => {
                const cmds = wave.map((n) => this.command(this.node(n), "cutover", [...deps]));
                return registered(this.gate(waveGateName(w), cmds));
            });
            prev = last.then((g) => [g]);
        }
        return last.then((gate) => {
            this.registerOutputs({ results: this.results() });
            return gate;
        });
    }

    /** Per node, the result and warning lines its commands printed (known after `pulumi up`). */
    results(): pulumi.Output<Record<string, string>> {
        const entries = [...this.stdout].map(([n, outs]) => pulumi.all(outs).apply((o) => [n, summarize(o)] as const));
        return pulumi.all(entries).apply((e) => Object.fromEntries(e));
    }

    private node(name: string): NodeSettings {
        const n = this.args.settings.nodes.find((x) => x.name === name);
        if (!n) throw new pulumi.ResourceError(`the rollout names ${name}, which is not in the node list`, this);
        return n;
    }

    private params(node: NodeSettings): NodeScriptParams {
        const s = this.args.settings;
        return {
            node: node.name,
            // Not the cluster's name: renaming the cluster must not re-run anything.
            podCidr: s.cluster.podCidr.text,
            dockerBip: bipOf(s.cluster.dockerBridge),
            mode: s.network.mode,
            kubernetesVersion: s.cluster.kubernetesVersion.text,
            images: this.args.images ?? [],
            cniBinDir: this.args.cniBinDir ?? "/opt/cni/bin",
            cniNetDir: this.args.cniNetDir ?? "/etc/cni/net.d",
            ...(this.args.flannelCheck ? { flannelCheck: this.args.flannelCheck } : {}),
        };
    }

    private opts(deps: readonly pulumi.Resource[]): pulumi.CustomResourceOptions {
        return { parent: this, provider: this.args.provider, dependsOn: [...deps] };
    }

    private ship(node: NodeSettings): pulumi.Resource {
        const dir = this.args.localLibraryDir ?? ".flannel-to-calico";
        const copy = new command.remote.CopyToRemote(
            nodeLibraryName(node.name),
            {
                connection: toConnectionArgs(nodeConnection(this.args.settings.ssh, node)),
                source: new pulumi.asset.FileAsset(`${dir}/${this.library.fileName}`),
                remotePath: this.library.remotePath,
                // A new rollout.recheck ships the library again (a node's copy may have been removed).
                triggers: [this.args.settings.rollout.recheck],
            },
            this.opts([]),
        );
        this.shipped.set(node.name, copy);
        return copy;
    }

    private preflight(name: string): Promise<pulumi.Resource> {
        const node = this.node(name);
        return registered(this.command(node, "preflight", [this.ship(node)]));
    }

    private command(node: NodeSettings, which: NodeCommand, deps: pulumi.Resource[]): pulumi.Resource {
        const s = this.args.settings;
        const steps = NODE_COMMANDS[which];
        const values = parameterValues(this.params(node));
        const create = invocation(this.library, {
            node: node.name,
            steps,
            values,
            recheck: s.rollout.recheck,
            command: which,
        });
        const copy = this.shipped.get(node.name);
        const cmd = new command.remote.Command(
            nodeCommandName(node.name, which),
            {
                connection: toConnectionArgs(nodeConnection(s.ssh, node)),
                // `update` falls back to `create` (pulumi-command v1.2.1): a new connection runs it again,
                // which skips the steps already done. No delete: destroying the stack never un-migrates nodes.
                create,
                // logging is left at its default, both streams (pulumi-command v1.2.1 remote/command.go).
                triggers: [this.library.sha256, s.rollout.recheck],
            },
            // stdout holds only result and warning lines (nodes/bundle.ts), never a secret.
            this.opts(copy ? [copy, ...deps] : deps),
        );
        this.stdout.set(node.name, [...(this.stdout.get(node.name) ?? []), cmd.stdout]);
        return cmd;
    }

    private gate(name: string, deps: readonly pulumi.Resource[]): pulumi.Resource {
        return new command.local.Command(name, { create: "exit 0" }, this.opts(deps));
    }
}
