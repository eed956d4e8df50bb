/**
 * A stand-in for the Kubernetes API that the checker talks to: busybox httpd with a CGI in a pod of
 * the PodNet, answering the four requests the checker makes (list probe pods, list NetworkPolicies,
 * create and get a ConfigMap) in the API server's JSON shapes, and logging each request.
 */
import * as fs from "fs";
import * as path from "path";
import { Pod, PodNet } from "./podnet";

export const TOKEN = "test-token-not-a-secret";
const NS = "flannel-to-calico";

export interface ProbePod {
    readonly node: string;
    readonly ip: string;
    readonly ready?: boolean;
}

/** A PodList as the API server returns it (compact, or pretty as for a "Wget" user agent). */
export function podList(pods: readonly ProbePod[], pretty = false): string {
    const items = pods.map((p, i) => ({
        metadata: {
            name: `f2c-probe-${i}abc`,
            generateName: "f2c-probe-",
            namespace: NS,
            labels: { "app.kubernetes.io/name": "f2c-probe" },
            ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "f2c-probe", controller: true }],
            managedFields: [{ manager: "kubelet", fieldsV1: { "f:status": { "f:podIP": {}, "f:podIPs": {} } } }],
        },
        spec: {
            containers: [{ name: "probe", image: "busybox:1.36.1" }],
            nodeName: p.node,
            tolerations: [{ operator: "Exists" }],
        },
        status: {
            phase: "Running",
            conditions: [
                { type: "Initialized", status: "True", lastProbeTime: null },
                { type: "Ready", status: p.ready === false ? "False" : "True", lastProbeTime: null },
                { type: "ContainersReady", status: p.ready === false ? "False" : "True", lastProbeTime: null },
            ],
            hostIP: "10.244.200.1",
            podIP: p.ip,
            podIPs: [{ ip: p.ip }],
        },
    }));
    const list = { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "42" }, items };
    return pretty ? JSON.stringify(list, null, 2) : JSON.stringify(list);
}

export function policyList(policies: readonly string[]): string {
    const items = policies.map((p) => {
        const [namespace, name] = p.split("/");
        return {
            metadata: { name, namespace, uid: "u", resourceVersion: "1" },
            spec: { podSelector: {}, policyTypes: ["Ingress"] },
        };
    });
    return JSON.stringify({ kind: "NetworkPolicyList", apiVersion: "networking.k8s.io/v1", metadata: {}, items });
}

const CGI = (dir: string) => `
reply() { printf 'Status: %s\\r\\nContent-Type: application/json\\r\\n\\r\\n' "$1"; }
p=$PATH_INFO
echo "$REQUEST_METHOD $p?$QUERY_STRING" >>${dir}/requests
if [ "$HTTP_AUTHORIZATION" != "Bearer ${TOKEN}" ]; then reply "401 Unauthorized"; exit 0; fi
case "$REQUEST_METHOD $p" in
"GET /api/v1/namespaces/${NS}/pods") reply "200 OK"; cat ${dir}/pods.json ;;
"GET /apis/networking.k8s.io/v1/networkpolicies") reply "200 OK"; cat ${dir}/policies.json ;;
"POST /api/v1/namespaces/${NS}/configmaps")
    body=$(head -c "$CONTENT_LENGTH")
    name=$(echo "$body" | sed -n 's/.*"metadata":{"name":"\\([^"]*\\)".*/\\1/p')
    if [ -e "${dir}/store/$name" ]; then reply "409 Conflict"; else
        echo "$body" >"${dir}/store/$name"; reply "201 Created"; echo "$body"
    fi ;;
"GET /api/v1/namespaces/${NS}/configmaps/"*)
    if [ -e "${dir}/store/\${p##*/}" ]; then reply "200 OK"; cat "${dir}/store/\${p##*/}"; else reply "404 Not Found"; fi ;;
*) reply "404 Not Found" ;;
esac
`;

export class FakeApi {
    readonly dir: string;
    readonly url: string;
    readonly tokenFile: string;

    constructor(
        readonly net: PodNet,
        readonly pod: Pod,
        port = 8080,
    ) {
        this.dir = path.join(pod.dir, "api");
        fs.mkdirSync(path.join(this.dir, "www", "cgi-bin"), { recursive: true });
        fs.mkdirSync(path.join(this.dir, "store"));
        fs.writeFileSync(path.join(this.dir, "www", "cgi-bin", "api"), `#!${net.bin}/sh\n${CGI(this.dir)}`, {
            mode: 0o755,
        });
        this.tokenFile = path.join(this.dir, "token");
        fs.writeFileSync(this.tokenFile, TOKEN);
        this.setPods([]);
        this.setPolicies([]);
        net.start(pod, `exec httpd -f -p ${port} -h ${this.dir}/www`);
        this.url = `http://${pod.ip}:${port}/cgi-bin/api`;
    }

    setPods(pods: readonly ProbePod[], pretty = false): void {
        fs.writeFileSync(path.join(this.dir, "pods.json"), podList(pods, pretty));
    }

    setPolicies(policies: readonly string[]): void {
        fs.writeFileSync(path.join(this.dir, "policies.json"), policyList(policies));
    }

    /** ConfigMaps created through the API, by name. */
    stored(): Record<string, string> {
        const d = path.join(this.dir, "store");
        return Object.fromEntries(fs.readdirSync(d).map((f) => [f, fs.readFileSync(path.join(d, f), "utf8")]));
    }

    clearStore(): void {
        for (const f of Object.keys(this.stored())) fs.rmSync(path.join(this.dir, "store", f));
    }

    requests(): string[] {
        const f = path.join(this.dir, "requests");
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter(Boolean) : [];
    }
}
