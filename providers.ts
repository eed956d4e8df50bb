/** This stack's explicit providers: nothing here falls back to ambient settings. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { compareMinor } from "./calico/versions";
import { NAMES } from "./identity";
import { Settings } from "./settings";

export interface Providers {
    readonly kubernetes: k8s.Provider;
    readonly command: command.Provider;
}

/** Server-side apply is GA from Kubernetes 1.22; below that the provider uses client-side apply. */
export function serverSideApply(s: Settings): boolean {
    return compareMinor(s.cluster.kubernetesVersion, { major: 1, minor: 22 }) >= 0;
}

/**
 * The Kubernetes provider for this stack's cluster: its own kubeconfig and
 * context, every behaviour-changing option explicit (the provider would
 * otherwise read them from the environment of whoever runs pulumi).
 *
 * clusterIdentifier (pulumi-kubernetes >= 4.16.0, provider.go DiffConfig): while
 * it stays the same the provider is never replaced, so moving the kubeconfig or
 * the API server's address replaces nothing; a different identifier replaces the
 * provider and with it every object it manages, which protect refuses for
 * Calico's CRDs, pool, calico-config and calico-node. It comes from cluster.id,
 * else cluster.context (never cluster.name, whose renaming must change nothing).
 */
export function createProviders(s: Settings, expandPath: (p: string) => string): Providers {
    const kc = s.cluster.kubeconfig;
    const kubernetes = new k8s.Provider(NAMES.kubernetesProvider, {
        kubeconfig: kc.kind === "content" ? pulumi.secret(kc.content.reveal()) : expandPath(kc.path),
        context: s.cluster.context,
        enableServerSideApply: serverSideApply(s),
        deleteUnreachable: false,
        clusterIdentifier: s.cluster.id,
        // calico-config changes in place (diff.go forceNewProperties: with this set, a
        // ConfigMap's data is not a replace unless the object says immutable: true, which
        // Calico's does not); calico-node rolls through its config-hash annotation.
        enableConfigMapMutable: true,
        suppressHelmHookWarnings: true,
        // calico.adopt: objects once applied with kubectl already exist; creating them
        // is an error unless the provider upserts (server-side apply, from 1.22).
        upsertExistingObjects: s.calico.adopt,
    });
    const cmd = new command.Provider(NAMES.commandProvider, {});
    return { kubernetes, command: cmd };
}
