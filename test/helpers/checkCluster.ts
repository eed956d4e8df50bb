/**
 * A three-node stand-in cluster for the network check's programs: the probe DaemonSet's program on
 * each node, dnsmasq as the cluster DNS, the fake API, a Service VIP over the probes, and a checker
 * pod on node-1 that runs the Jobs' program with the env the Job objects carry.
 */
import * as fs from "fs";
import { ChildProcess } from "child_process";
import { K8sObject } from "../../calico/manifest";
import { requireSettings } from "../../settings";
import { checkJob, JobMode, probeDaemonSet } from "../../verify/objects";
import { planCheck, PROBE_PORT } from "../../verify/plan";
import { HOST_KEY, tutorialRaw } from "./config";
import { FakeApi } from "./fakeApi";
import { Pod, PodNet, podNetAvailable, RunResult, SERVICE_VIP } from "./podnet";

export const NODES = ["node-1", "node-2", "node-3"];

type Container = { command: string[]; env: { name: string; value?: string }[] };
export const containerOf = (o: K8sObject) => (o.spec.template.spec.containers as Container[])[0];

/** The Job container's program and its literal env values, for a stack of NODES. */
function jobProgram(mode: JobMode, verify: Record<string, unknown>) {
    const s = requireSettings(
        tutorialRaw({
            nodes: NODES.map((name, i) => ({ name, address: `192.0.2.${i + 1}`, hostKey: HOST_KEY })),
            verify,
        }),
        { stack: "t", dryRun: true },
    );
    const c = containerOf(checkJob({ mode, plan: planCheck(s), settings: s, baseline: "f2c-baseline-test" }));
    const env = Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    return { program: c.command[2], env };
}

/** Skips the suite without root or tools, loudly; a skip fails with F2C_REQUIRE_HOST_TESTS=1. */
export function requirePodNet(ctx: Mocha.Context, what: string): void {
    const available = podNetAvailable();
    if (available.ok) return;
    const msg = `HOST TESTS SKIPPED (${what}): ${available.why}`;
    process.stderr.write(`\n!!! ${msg} !!!\n\n`);
    if (process.env.F2C_REQUIRE_HOST_TESTS === "1")
        throw new Error(`${msg} (F2C_REQUIRE_HOST_TESTS=1: CI must run them)`);
    ctx.skip();
}

export class CheckCluster {
    readonly net = new PodNet(3);
    readonly api: FakeApi;
    readonly checker: Pod;
    readonly probes: Pod[] = [];
    private readonly dnsPod: Pod;
    private dns: ChildProcess;

    private constructor() {
        this.dnsPod = this.net.pod(1, "dns", "10.244.1.53");
        this.dns = this.startDns();
        this.api = new FakeApi(this.net, this.net.pod(1, "api", "10.244.1.30"));
        const probe = containerOf(probeDaemonSet("busybox"));
        for (const [i, node] of NODES.entries()) {
            const p = this.net.pod(i + 1, `probe${i + 1}`, `10.244.${i + 1}.10`);
            this.probes.push(p);
            this.net.start(p, probe.command[2], { NODE_NAME: node, F2C_PORT: String(PROBE_PORT), F2C_WORK: p.dir });
        }
        this.resetPods();
        this.net.service(
            PROBE_PORT,
            this.probes.map((p) => p.ip),
        );
        this.checker = this.net.pod(1, "checker", "10.244.1.20", this.dnsPod.ip);
    }

    static async create(): Promise<CheckCluster> {
        const c = new CheckCluster();
        for (const p of c.probes) await c.net.waitFor(c.checker, `http://${p.ip}:${PROBE_PORT}/node`);
        return c;
    }

    /** Every probe listed by the API, ready. */
    resetPods(pretty = false): void {
        this.api.setPods(
            NODES.map((node, i) => ({ node, ip: this.probes[i].ip })),
            pretty,
        );
    }

    private startDns(): ChildProcess {
        return this.net.startCommand(this.dnsPod, [
            "dnsmasq",
            "--no-daemon",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            `--listen-address=${this.dnsPod.ip}`,
            "--local=/cluster.local/",
            `--address=/f2c-probe.flannel-to-calico.svc.cluster.local/${SERVICE_VIP}`,
            "--address=/kubernetes.default.svc.cluster.local/10.244.250.1",
            `--pid-file=${this.dnsPod.dir}/dnsmasq.pid`,
        ]);
    }

    stopDns(): void {
        this.net.stop(this.dns);
    }

    restartDns(): void {
        this.dns = this.startDns();
    }

    /** Runs a Job's program in the checker pod, as the Job would (env from the object, kubelet's part faked). */
    async check(mode: JobMode, extra: Record<string, string> = {}, verify = {}): Promise<RunResult> {
        const { program, env } = jobProgram(mode, verify);
        fs.rmSync(`${this.checker.dir}/termination`, { force: true });
        const r = await this.net.run(this.checker, program, {
            ...env,
            NODE_NAME: "node-1",
            POD_IP: this.checker.ip,
            F2C_API: this.api.url,
            F2C_TOKEN_FILE: this.api.tokenFile,
            F2C_WORK: `${this.checker.dir}/work`,
            F2C_TERMINATION: `${this.checker.dir}/termination`,
            F2C_PROBE_SERVICE_HOST: SERVICE_VIP,
            F2C_WAIT: "6",
            ...extra,
        });
        if (process.env.F2C_DEBUG) process.stderr.write(`--- ${mode}\n${r.stdout}${r.stderr}`);
        return r;
    }

    /** The checker's termination message (what Pulumi's Job error shows). */
    termination(): string {
        return fs.readFileSync(`${this.checker.dir}/termination`, "utf8");
    }

    destroy(): void {
        this.net.destroy();
    }
}

export const failures = (r: RunResult) => r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
