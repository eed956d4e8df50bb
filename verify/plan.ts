/**
 * What the network check covers at this stack's size: which nodes run the checker, which probes
 * it checks, which checks, and how long Pulumi waits. Pure: the objects, the summary and the
 * outputs all read this one plan.
 */
import { mirrorImage } from "../calico/patches";
import { Settings } from "../settings/types";

/** Up to this many nodes in the cluster, every probe is checked; above it, a sample. */
export const CHECK_ALL_UP_TO = 50;
/** Nodes outside the last wave that the sample adds, spread evenly over the earlier waves. */
export const SAMPLE_OTHERS = 50;
/** Checker pods, each on its own node. */
export const CHECKER_COUNT = 3;
/** Probes checked at once by one checker pod. */
export const PARALLEL = 16;
/** Seconds a checker waits for the probes (recreated by the cutover) to be ready. */
export const PROBE_WAIT_SECONDS = 300;
/** Worst case per probe: ping 5 s, TCP 5 s, payload 10 s, reverse 15 s. */
const PER_PROBE_SECONDS = 35;
/** Scheduling, image pull, DNS, Service and outside checks, API calls. */
const FIXED_SECONDS = 180;

/** One checker pod's checks of one probe. */
export const PAIR_CHECKS = ["icmp", "tcp", "payload", "reverse"] as const;

export interface CheckPlan {
    /** Node names the checker pods run on (the baseline and the check use the same ones). */
    readonly checkers: readonly string[];
    /** Nodes that must have a ready probe; with `all`, every other probe found is checked too. */
    readonly targets: readonly string[];
    /** True: every probe in the cluster; false: `targets` only (a sample). */
    readonly all: boolean;
    /** The cluster's size as the stack knows it (typha.nodeCount). */
    readonly clusterNodes: number;
    /** Probe checks: checkers x probes x the four pair checks (an upper bound when `all`). */
    readonly pairChecks: number;
    /** DNS names each checker resolves through the cluster DNS Service. */
    readonly dnsNames: readonly string[];
    /** host:port each checker connects to (natOutgoing), if any. */
    readonly outside?: string;
    /** The Job's activeDeadlineSeconds. */
    readonly deadlineSeconds: number;
    /** How long Pulumi waits for the Job (pulumi.com/timeoutSeconds). */
    readonly timeoutSeconds: number;
    /** The check's image, through calico.imageRegistry. */
    readonly image: string;
}

/** First node of the first, middle and last waves; then the next nodes, up to CHECKER_COUNT distinct. */
export function chooseCheckers(waves: readonly (readonly string[])[]): string[] {
    const picks = [waves[0]?.[0], waves[Math.floor((waves.length - 1) / 2)]?.[0], waves[waves.length - 1]?.[0]];
    const out: string[] = [];
    for (const n of [...picks, ...waves.flat()]) {
        if (n !== undefined && !out.includes(n)) out.push(n);
        if (out.length === CHECKER_COUNT) break;
    }
    return out;
}

/** Every node of the last wave, plus SAMPLE_OTHERS nodes spread evenly over the others. */
export function sampleTargets(waves: readonly (readonly string[])[]): string[] {
    const last = waves[waves.length - 1] ?? [];
    const others = waves.slice(0, -1).flat();
    const k = Math.min(SAMPLE_OTHERS, others.length);
    const picked = Array.from({ length: k }, (_, i) => others[Math.floor((i * others.length) / k)]);
    return [...picked, ...last];
}

/** The image reference the pods use: the configured one through the stack's mirror. */
export function checkImage(s: Pick<Settings, "verify" | "calico">): string {
    const reg = s.calico.imageRegistry;
    const image = s.verify.image;
    return reg && !image.startsWith(`${reg}/`) ? mirrorImage(image, reg) : image;
}

export function planCheck(s: Settings): CheckPlan {
    const waves = s.rollout.waves;
    const clusterNodes = Math.max(s.typha.nodeCount, s.nodes.length);
    const all = clusterNodes <= CHECK_ALL_UP_TO;
    const targets = all ? waves.flat() : sampleTargets(waves);
    const checkers = chooseCheckers(waves);
    const probes = all ? clusterNodes : targets.length;
    const deadlineSeconds = PROBE_WAIT_SECONDS + Math.ceil(probes / PARALLEL) * PER_PROBE_SECONDS + FIXED_SECONDS;
    const domain = s.verify.clusterDomain;
    return {
        checkers,
        targets,
        all,
        clusterNodes,
        pairChecks: checkers.length * probes * PAIR_CHECKS.length,
        dnsNames: [`f2c-probe.${VERIFY_NAMESPACE}.svc.${domain}`, `kubernetes.default.svc.${domain}`],
        ...(s.verify.outsideAddress ? { outside: s.verify.outsideAddress.text } : {}),
        deadlineSeconds,
        timeoutSeconds: deadlineSeconds + 120,
        image: checkImage(s),
    };
}

/** The namespace of every object of the check. */
export const VERIFY_NAMESPACE = "flannel-to-calico";
/** The probes' port (HTTP). */
export const PROBE_PORT = 8477;
