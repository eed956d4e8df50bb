/**
 * A fact list (data, one entry per upstream fact with its source), which is why this file is over 250 lines.
 *
 * What Calico's own tools (libcalico's client, calico-node's startup, the
 * manifest's wiring) or `kubectl apply` would have done, that this program
 * must do itself because it creates the IPv4 pool as a raw
 * crd.projectcalico.org/v1 object with NO_DEFAULT_POOLS=true and orders
 * objects by dependsOn. One list, each fact with its upstream source; the
 * functions below are the program's answer to each. Pure, no Pulumi.
 * test/calico/sideEffects.test.ts has a test per fact, version and mode.
 */
import { NetworkMode } from "../settings/types";
import { K8sObject } from "./manifest";
import { Version } from "./versions";

export interface Source {
    /** GitHub repository, e.g. projectcalico/libcalico-go. */
    readonly repo: string;
    readonly path: string;
    /** Tag or commit the fact was read at. */
    readonly ref: string;
    /** Function, field or line the fact rests on. */
    readonly detail: string;
}

export type SupportedVersion = "v3.8.9" | "v3.26.5" | "v3.32.1";
export const SUPPORTED: readonly SupportedVersion[] = ["v3.8.9", "v3.26.5", "v3.32.1"];

export interface SideEffect {
    readonly id: string;
    /** What Calico's tools (or kubectl apply) would have done. */
    readonly upstream: string;
    /** What this program does instead. */
    readonly here: string;
    readonly versions: readonly SupportedVersion[];
    readonly sources: readonly Source[];
}

const LIBCALICO_38 = { repo: "projectcalico/libcalico-go", ref: "5a23a805 (release-v3.8, pinned by node v3.8.9)" };

export const SIDE_EFFECTS: readonly SideEffect[] = [
    {
        id: "felix-encapsulation-v3.8",
        upstream:
            "ipPools.Create (and Update) call maybeEnableIPIP / maybeEnableVXLAN, which set ipipEnabled / vxlanEnabled: true " +
            "in FelixConfiguration default; Felix v3.8 defaults both to false, so without them tunl0 / vxlan.calico are never set up",
        here:
            "calico-node gets FELIX_IPINIPENABLED and FELIX_VXLANENABLED (env beats FelixConfiguration): IPIP on in the BIRD modes " +
            "(as libcalico, which only ever turns it on), VXLAN on in vxlan mode, both on during network.vxlanTransition",
        versions: ["v3.8.9"],
        sources: [
            {
                ...LIBCALICO_38,
                path: "lib/clientv3/ippool.go",
                detail: "Create L108-115, maybeEnableIPIP L504, maybeEnableVXLAN L564",
            },
            {
                repo: "projectcalico/felix",
                ref: "v3.8.9",
                path: "config/config_params.go",
                detail: "IpInIpEnabled bool;false L176, VXLANEnabled bool;false L169",
            },
        ],
    },
    {
        id: "felix-encapsulation-from-pools",
        upstream:
            "from v3.23.0 (commit 435eee2002) Felix derives IPIP / VXLAN from the pools; an explicit ipipEnabled / vxlanEnabled " +
            "(env or FelixConfiguration) overrides the pools, and a pool lacking ipipMode or vxlanMode is rejected at startup",
        here: "no FELIX_*ENABLED env, so a pool change reaches every Felix at once (Felix restarts itself); the pool sets ipipMode and vxlanMode both",
        versions: ["v3.26.5", "v3.32.1"],
        sources: [
            {
                repo: "projectcalico/calico",
                ref: "v3.26.5",
                path: "felix/calc/encapsulation_resolver.go",
                detail: "EncapsulationCalculator.IPIPEnabled / VXLANEnabled, handleAPIPool",
            },
            {
                repo: "projectcalico/calico",
                ref: "v3.26.5",
                path: "felix/daemon/daemon.go",
                detail: "NewEncapsulationCalculator L282, restart on encapsulation change L1213",
            },
        ],
    },
    {
        id: "vxlan-mtu-v3.8",
        upstream:
            "the v3.8 manifest feeds calico-config veth_mtu to FELIX_IPINIPMTU only; Felix's VXLAN MTU stays 1410 while pods get veth_mtu; " +
            "v3.26.5 and v3.32.1 feed veth_mtu to FELIX_VXLANMTU too",
        here: "calico-node gets FELIX_VXLANMTU from calico-config veth_mtu when the manifest lacks it (v3.8)",
        versions: ["v3.8.9"],
        sources: [
            {
                repo: "projectcalico/felix",
                ref: "v3.8.9",
                path: "config/config_params.go",
                detail: "VXLANMTU int;1410 L172",
            },
            {
                repo: "projectcalico/calico",
                ref: "v3.26.5",
                path: "manifests/calico.yaml",
                detail: "calico-node env FELIX_VXLANMTU from veth_mtu",
            },
        ],
    },
    {
        id: "ippool-client-defaults",
        upstream:
            "the client fills nodeSelector all(), blockSize 26, ipipMode / vxlanMode Never on every version; allowedUses [Workload, Tunnel] " +
            "from v3.26; assignmentMode Automatic in v3.32; a raw CRD gets none of them written",
        here: "the pool carries every field its version's IPPool CRD schema has, with the client's defaults",
        versions: ["v3.8.9", "v3.26.5", "v3.32.1"],
        sources: [
            { ...LIBCALICO_38, path: "lib/clientv3/ippool.go", detail: "validateAndSetDefaults" },
            {
                repo: "projectcalico/calico",
                ref: "v3.26.5",
                path: "libcalico-go/lib/clientv3/ippool.go",
                detail: "validateAndSetDefaults L352 allowedUses",
            },
            {
                repo: "projectcalico/calico",
                ref: "v3.32.1",
                path: "libcalico-go/lib/clientv3/ippool.go",
                detail: "L286 assignmentMode Automatic, L398 allowedUses",
            },
        ],
    },
    {
        id: "bgpconfiguration-default-v3.32",
        upstream:
            "v3.32 calico-node startup creates an empty BGPConfiguration default when none exists (v3.8.9 and v3.26.5 do not)",
        here: "BGPConfiguration default is always managed (empty spec in plain vxlan mode), so a later switch never meets an unmanaged one (AlreadyExists)",
        versions: ["v3.32.1"],
        sources: [
            {
                repo: "projectcalico/calico",
                ref: "v3.32.1",
                path: "node/pkg/lifecycle/startup/startup.go",
                detail: "ensureDefaultBGPConfigExists L1367",
            },
        ],
    },
    {
        id: "typha-tolerations-v3.8",
        upstream:
            "v3.8's calico-typha tolerates only CriticalAddonsOnly; v3.26.5 and v3.32.1 tolerate every NoSchedule and NoExecute taint. " +
            "kubectl apply converges anyway because nothing waits on Typha",
        here: "v3.8's Typha gets the later tolerations, so calico-node can wait on it while every node is NotReady",
        versions: ["v3.8.9"],
        sources: [
            {
                repo: "projectcalico/calico",
                ref: "v3.26.5",
                path: "manifests/calico-typha.yaml",
                detail: "Deployment calico-typha tolerations",
            },
        ],
    },
    {
        id: "not-ready-taints",
        upstream:
            "a NotReady node carries node.kubernetes.io/not-ready NoSchedule and NoExecute; pods without a toleration get one for 300 s and are then evicted",
        here: "the ordering rule (calico/ordering.ts): nothing waits on a workload that does not tolerate them before calico-node runs",
        versions: ["v3.8.9", "v3.26.5", "v3.32.1"],
        sources: [
            {
                repo: "kubernetes/kubernetes",
                ref: "v1.14.2",
                path: "pkg/controller/nodelifecycle/node_lifecycle_controller.go",
                detail: "nodeConditionToTaintKeyStatusMap, NotReadyTaintTemplate",
            },
            {
                repo: "kubernetes/kubernetes",
                ref: "v1.14.2",
                path: "plugin/pkg/admission/defaulttolerationseconds/admission.go",
                detail: "defaultNotReadyTolerationSeconds 300",
            },
        ],
    },
    {
        id: "configmap-env-read-at-start",
        upstream:
            "env values taken from a ConfigMap are read when the container starts; kubectl users restart calico-node by hand",
        here: "calico-node's pod template carries a hash of the calico-config keys it reads, so a change rolls it (maxUnavailable at a time)",
        versions: ["v3.8.9", "v3.26.5", "v3.32.1"],
        sources: [
            {
                repo: "kubernetes/website",
                ref: "main",
                path: "content/en/docs/concepts/configuration/configmap.md",
                detail: "ConfigMaps consumed as environment variables are not updated automatically",
            },
        ],
    },
    {
        id: "manifest-order",
        upstream:
            "kubectl apply -f calico.yaml creates objects in file order: CRDs, ServiceAccounts, RBAC and calico-config before the workloads",
        here: "calico-node and kube-controllers depend on every CRD, ServiceAccount, RBAC object, ConfigMap, the pool and the BGP objects",
        versions: ["v3.8.9", "v3.26.5", "v3.32.1"],
        sources: [
            { repo: "projectcalico/calico", ref: "v3.26.5", path: "manifests/calico.yaml", detail: "object order" },
        ],
    },
];

/** Felix derives encapsulation from the pools from v3.23.0 on (commit 435eee2002). */
export function felixFollowsPools(v: Pick<Version, "major" | "minor">): boolean {
    return v.major > 3 || (v.major === 3 && v.minor >= 23);
}

/** Which encapsulations Felix must have on: "pools" when Felix reads them from the pools itself. */
export function felixEncapsulations(
    v: Pick<Version, "major" | "minor">,
    mode: NetworkMode,
    vxlanTransition: boolean,
): "pools" | readonly ("ipip" | "vxlan")[] {
    if (felixFollowsPools(v)) return "pools";
    if (vxlanTransition) return ["ipip", "vxlan"];
    return mode === "vxlan" ? ["vxlan"] : ["ipip"];
}

/** The FELIX_*ENABLED env calico-node needs (empty when Felix follows the pools). */
export function felixEncapsulationEnv(
    v: Pick<Version, "major" | "minor">,
    mode: NetworkMode,
    vxlanTransition: boolean,
): { name: string; value: string }[] {
    const on = felixEncapsulations(v, mode, vxlanTransition);
    if (on === "pools") return [];
    return [
        { name: "FELIX_IPINIPENABLED", value: String(on.includes("ipip")) },
        { name: "FELIX_VXLANENABLED", value: String(on.includes("vxlan")) },
    ];
}

/** The client's IPPool defaults for the fields the version's IPPool CRD schema has (v3.8's has no schema). */
export function ipPoolClientDefaults(schemaFields: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (schemaFields.includes("allowedUses")) out.allowedUses = ["Workload", "Tunnel"];
    if (schemaFields.includes("assignmentMode")) out.assignmentMode = "Automatic";
    return out;
}

/** The spec fields of an IPPool CRD's schema (empty for a CRD without one, as v3.8's apiextensions v1beta1). */
export function ipPoolSchemaFields(crd: K8sObject | undefined): string[] {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const versions: any[] = crd?.spec?.versions ?? [];
    const v = versions.find((x) => x.storage) ?? versions[0];
    return Object.keys(v?.schema?.openAPIV3Schema?.properties?.spec?.properties ?? {});
}

/** The tolerations v3.26.5 and v3.32.1 give Typha beyond CriticalAddonsOnly (manifests/calico-typha.yaml). */
export const LATER_TYPHA_TOLERATIONS: readonly { effect: string; operator: string }[] = [
    { effect: "NoSchedule", operator: "Exists" },
    { effect: "NoExecute", operator: "Exists" },
];
