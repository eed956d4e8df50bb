/**
 * Who may read what: the probes read nothing; the baseline Job lists the probe pods, creates its
 * result ConfigMaps and lists NetworkPolicies; the check Job lists the probe pods and reads the
 * baseline ConfigMaps by name. Pure; test/verify/objects.test.ts asserts every rule.
 */
import { K8sObject } from "../calico/manifest";
import { VERIFY_NAMESPACE } from "./plan";

const RBAC = "rbac.authorization.k8s.io/v1";
const LABELS = { "app.kubernetes.io/part-of": "flannel-to-calico" };
const meta = (name: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace: VERIFY_NAMESPACE } : {}),
    labels: { ...LABELS },
});

export const SERVICE_ACCOUNTS = { probe: "f2c-probe", baseline: "f2c-baseline", check: "f2c-check" } as const;
/** The ClusterRole for the one cluster-wide read: NetworkPolicies, before the cutover. */
export const POLICY_READER = "flannel-to-calico-policy-reader";

export function serviceAccounts(): K8sObject[] {
    return Object.values(SERVICE_ACCOUNTS).map((name) => ({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: meta(name),
        // The probes never call the API; the Jobs mount their token.
        automountServiceAccountToken: name !== SERVICE_ACCOUNTS.probe,
    }));
}

function binding(kind: "RoleBinding" | "ClusterRoleBinding", name: string, roleKind: string, sa: string): K8sObject {
    return {
        apiVersion: RBAC,
        kind,
        metadata: meta(name, kind === "RoleBinding"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name },
        subjects: [{ kind: "ServiceAccount", name: sa, namespace: VERIFY_NAMESPACE }],
    };
}

/** The baseline ConfigMaps of one run: one per checker node. */
export function baselineNames(baseline: string, checkers: number): string[] {
    return Array.from({ length: checkers }, (_, i) => `${baseline}-${i + 1}`);
}

/**
 * Roles and bindings. `create` cannot be limited to names (Kubernetes authorizes it before the name
 * is known), so the baseline may create ConfigMaps in this program's own namespace only.
 */
export function rbacObjects(baseline: string, checkers: number): { baseline: K8sObject[]; check: K8sObject[] } {
    const listProbes = { apiGroups: [""], resources: ["pods"], verbs: ["list"] };
    const forBaseline: K8sObject[] = [
        {
            apiVersion: RBAC,
            kind: "Role",
            metadata: meta(SERVICE_ACCOUNTS.baseline),
            rules: [listProbes, { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] }],
        },
        binding("RoleBinding", SERVICE_ACCOUNTS.baseline, "Role", SERVICE_ACCOUNTS.baseline),
        {
            apiVersion: RBAC,
            kind: "ClusterRole",
            metadata: meta(POLICY_READER, false),
            rules: [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list"] }],
        },
        binding("ClusterRoleBinding", POLICY_READER, "ClusterRole", SERVICE_ACCOUNTS.baseline),
    ];
    const forCheck: K8sObject[] = [
        {
            apiVersion: RBAC,
            kind: "Role",
            metadata: meta(SERVICE_ACCOUNTS.check),
            rules: [
                listProbes,
                {
                    apiGroups: [""],
                    resources: ["configmaps"],
                    verbs: ["get"],
                    resourceNames: baselineNames(baseline, checkers),
                },
            ],
        },
        binding("RoleBinding", SERVICE_ACCOUNTS.check, "Role", SERVICE_ACCOUNTS.check),
    ];
    return { baseline: forBaseline, check: forCheck };
}
