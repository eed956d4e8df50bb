/**
 * NodePreparation: the tutorial's per-node steps as remote.Commands, one per
 * node and step, rolled out in waves. Thin wiring: the scripts come from
 * render.ts, the connection from connection.ts, the waves from settings.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { nodeStepName, TYPES, waveGateName } from "../identity";
import { Settings } from "../settings/types";
import { nodeConnection, toConnectionArgs } from "./connection";
import { renderStepScript, sha256, STEPS } from "./render";

export interface NodePreparationArgs {
    /** The validated stack settings: nodes, waves, ssh, recheck. */
    readonly settings: Settings;
    /** Calico images to pull in preflight, mirror applied. Default: none. */
    readonly images?: readonly string[];
    /** install-cni's binary host path in the manifest. Default: /opt/cni/bin. */
    readonly cniBinDir?: string;
    /** install-cni's config host path in the manifest. Default: /etc/cni/net.d. */
    readonly cniNetDir?: string;
    /** The stack's explicit command provider. Required. */
    readonly provider: command.Provider;
    /** What the first wave waits for: the pre-cutover network baseline. Default: nothing. */
    readonly after?: pulumi.Resource;
}

/** Resolves when a resource's registration has completed (in `pulumi up`: when its step is done). */
function registered(r: pulumi.Resource): Promise<pulumi.Resource> {
    return new Promise((resolve) => {
        r.urn.apply(() => resolve(r));
    });
}

export class NodePreparation extends pulumi.ComponentResource {
    /** Resolves to the last wave's gate once it is registered: Calico waits on it. */
    readonly done: Promise<pulumi.Resource>;

    constructor(name: string, args: NodePreparationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPES.nodePreparation, name, {}, opts);
        const s = args.settings;
        const byName = new Map(s.nodes.map((n) => [n.name, n]));
        const params = {
            // Not the cluster's name: renaming the cluster must not re-run anything.
            podCidr: s.cluster.podCidr.text,
            mode: s.network.mode,
            kubernetesVersion: s.cluster.kubernetesVersion.text,
            images: args.images ?? [],
            cniBinDir: args.cniBinDir ?? "/opt/cni/bin",
            cniNetDir: args.cniNetDir ?? "/etc/cni/net.d",
        };
        const cmdOpts = { parent: this, provider: args.provider };
        const wave = (w: number, previous: pulumi.Resource | undefined): pulumi.Resource => {
            const applies: pulumi.Resource[] = [];
            for (const nodeName of s.rollout.waves[w]) {
                const node = byName.get(nodeName);
                if (!node)
                    throw new pulumi.ResourceError(
                        `wave ${w + 1} names ${nodeName}, which is not in the node list`,
                        this,
                    );
                const connection = toConnectionArgs(nodeConnection(s.ssh, node));
                let prev: pulumi.Resource | undefined = previous;
                for (const step of STEPS) {
                    const script = renderStepScript(step, { ...params, node: node.name });
                    prev = new command.remote.Command(
                        nodeStepName(node.name, step),
                        {
                            connection,
                            create: script,
                            // A changed connection (key rotation, bastion) runs the script again:
                            // harmless, it is idempotent.
                            update: script,
                            // No delete: destroying this stack must not un-migrate nodes.
                            triggers: [sha256(script), s.rollout.recheck],
                            logging: "stderr",
                        },
                        { ...cmdOpts, dependsOn: prev ? [prev] : [], additionalSecretOutputs: ["stdout", "stderr"] },
                    );
                }
                if (prev) applies.push(prev);
            }
            // A gate per wave keeps the graph linear in the node count: the next
            // wave waits on this gate, which waits on every node of this wave.
            return new command.local.Command(waveGateName(w), { create: "exit 0" }, { ...cmdOpts, dependsOn: applies });
        };
        // Wave k+1 is registered once wave k's gate is: the engine could not start
        // it earlier anyway, and the program then holds one wave in flight, not
        // the whole cluster (5000 nodes are 30,000 commands).
        let done: Promise<pulumi.Resource | undefined> = Promise.resolve(args.after);
        for (let w = 0; w < s.rollout.waves.length; w++) {
            done = done.then((prev) => registered(wave(w, prev)));
        }
        this.done = done.then((d) => {
            if (!d || s.rollout.waves.length === 0)
                throw new pulumi.ResourceError("the stack has no nodes to prepare", this);
            return d;
        });
        this.registerOutputs({});
    }
}
