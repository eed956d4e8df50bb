/**
 * Renders the node scripts: pure functions, no Pulumi. The text returned is
 * exactly what is sent to a node (and what the plan writes to nodes/).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { NetworkMode } from "../settings/types";
import { FIRST_FOUND_EXCLUDE_V326, FIRST_FOUND_EXCLUDE_V38, FirstFoundFamily } from "../calico/autodetect";
import { libFor, splitLib } from "./library";
import { StepName, STEPS } from "./steps";

export { STEPS };
export type { StepName };

/** Where the steps keep markers and unit backups on the node. */
export const STATE_DIR = "/var/lib/flannel-to-calico";

export interface NodeScriptParams {
    readonly node: string;
    readonly podCidr: string;
    /** docker0's address and prefix after the migration, e.g. 172.17.0.1/16 (settings/dockerBridge.ts). */
    readonly dockerBip: string;
    readonly mode: NetworkMode;
    /** cluster.kubernetesVersion; the kubelet step follows the node's own kubelet. */
    readonly kubernetesVersion: string;
    /** Calico images to pull before the cutover (registry mirror applied). */
    readonly images: readonly string[];
    /** The manifest's install-cni host paths. */
    readonly cniBinDir: string;
    readonly cniNetDir: string;
    /** What preflight checks against Flannel's recorded facts. Default: auto MTU, first-found of v3.26+. */
    readonly flannelCheck?: FlannelCheck;
}

/** Calico's choices that preflight compares with what Flannel used on the node. */
export interface FlannelCheck {
    /** calico-config's veth_mtu; "0" is auto (Felix derives it), which is not checked. */
    readonly podMtu: string;
    /** The header Calico's encapsulation adds in this mode: IPIP 20, VXLAN 50, none for bgp. */
    readonly encapOverhead: number;
    /** calico-node's IP_AUTODETECTION_METHOD, "first-found" when unset. */
    readonly ipAutodetection: string;
    /** Which first-found exclusion list the Calico version has (calico/autodetect.ts). */
    readonly firstFound: FirstFoundFamily;
}

const SOURCES: Record<string, string> = Object.fromEntries(
    ["lib", ...STEPS].map((n) => [n, fs.readFileSync(path.join(__dirname, "scripts", `${n}.sh`), "utf8")]),
);

/** Single-quotes a value for sh. */
export function shq(v: string): string {
    return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * Kernel modules for the mode's encapsulation, by family: the BIRD modes
 * (ipip, bgp, crossSubnet) share one rendering so that switching among them
 * re-runs nothing on the nodes.
 */
export function kernelCheckFor(mode: NetworkMode): { modules: string[]; required: boolean; neededBy: string } {
    return mode === "vxlan"
        ? { modules: ["vxlan"], required: true, neededBy: "Calico's vxlan mode" }
        : { modules: ["ipip"], required: false, neededBy: "Calico's ipip and crossSubnet modes" };
}

/**
 * Every parameter a step may read, in the order they are rendered. A step
 * gets exactly those its own text and the helpers it carries name, so its
 * text changes only when what it uses changes.
 */
const PARAMETERS = [
    "NODE",
    "STEP",
    "STATE_DIR",
    "POD_CIDR",
    "DOCKER_BIP",
    "KUBERNETES_VERSION",
    "KERNEL_MODULES",
    "MODULE_REQUIRED",
    "MODULE_NEEDED_BY",
    "CNI_BIN_DIR",
    "CNI_NET_DIR",
    "IMAGES",
    "POD_MTU",
    "ENCAP_OVERHEAD",
    "IP_AUTODETECTION",
    "FIRST_FOUND",
] as const;
type Parameter = (typeof PARAMETERS)[number];
const PARAMETER_USE = new Map(PARAMETERS.map((n) => [n, new RegExp(`\\$\\{?${n}\\b`)]));

const TERMINATOR = "F2C_END_OF_SCRIPT";
const LIB = splitLib(SOURCES.lib);

/** A step's own text and the helpers it carries, computed once per step. */
/**
 * first-found's exclusion lists, from calico/autodetect.ts, as a prelude for the steps that read
 * AUTODETECT_EXCLUDE: a node command sends the short FIRST_FOUND, not the list (its text is state).
 */
const FIRST_FOUND_PRELUDE = [
    "# first-found's default exclusions of the cluster's Calico version (calico/autodetect.ts).",
    'case "$FIRST_FOUND" in',
    `  v3.8) AUTODETECT_EXCLUDE=${shq(FIRST_FOUND_EXCLUDE_V38.join(","))} ;;`,
    `  *) AUTODETECT_EXCLUDE=${shq(FIRST_FOUND_EXCLUDE_V326.join(","))} ;;`,
    "esac",
].join("\n");

const STEP_TEXT = new Map(
    STEPS.map((step) => {
        const prelude = /\$\{?AUTODETECT_EXCLUDE\b/.test(SOURCES[step]) ? `${FIRST_FOUND_PRELUDE}\n` : "";
        const lib = (prelude + libFor(LIB, SOURCES[step])).trimEnd();
        const code = `${lib}\n${SOURCES[step]}`;
        const params = PARAMETERS.filter((n) => PARAMETER_USE.get(n)?.test(code));
        return [step, { lib, params }] as const;
    }),
);

/** The parameters a program's text reads, in the renderer's order. */
export function parametersIn(text: string): Parameter[] {
    return PARAMETERS.filter((n) => PARAMETER_USE.get(n)?.test(text));
}

/** The parameters a step reads (derived from its text and its helpers'). */
export function stepParameters(step: StepName): readonly Parameter[] {
    return STEP_TEXT.get(step)?.params ?? [];
}

/**
 * The bash program of one step without its parameters, which the shipped
 * library's dispatcher passes in the environment (nodes/bundle.ts).
 */
export function stepProgram(step: StepName): string {
    const text = STEP_TEXT.get(step);
    if (!text) throw new Error(`unknown node step ${step}`);
    return ["set -euo pipefail", text.lib, SOURCES[step].trimEnd(), ""].join("\n");
}

/** Every parameter's value for a node, as the steps read them. */
export function parameterValues(p: NodeScriptParams): Record<Parameter, string> {
    const k = kernelCheckFor(p.mode);
    return {
        NODE: p.node,
        STEP: "",
        STATE_DIR,
        POD_CIDR: p.podCidr,
        DOCKER_BIP: p.dockerBip,
        KUBERNETES_VERSION: p.kubernetesVersion,
        KERNEL_MODULES: k.modules.join(" "),
        MODULE_REQUIRED: k.required ? "yes" : "no",
        MODULE_NEEDED_BY: k.neededBy,
        CNI_BIN_DIR: p.cniBinDir,
        CNI_NET_DIR: p.cniNetDir,
        IMAGES: p.images.join(" "),
        POD_MTU: p.flannelCheck?.podMtu ?? "0",
        ENCAP_OVERHEAD: String(p.flannelCheck?.encapOverhead ?? (p.mode === "vxlan" ? 50 : p.mode === "bgp" ? 0 : 20)),
        IP_AUTODETECTION: p.flannelCheck?.ipAutodetection ?? "first-found",
        // Calico splits interface regex lists on commas.
        FIRST_FOUND: p.flannelCheck?.firstFound ?? "v3.26",
    };
}

/** The bash program of one step: parameters, shared helpers, the step. */
export function renderStepBody(step: StepName, p: NodeScriptParams): string {
    const values = { ...parameterValues(p), STEP: step };
    const text = STEP_TEXT.get(step);
    if (!text) throw new Error(`unknown node step ${step}`);
    return [
        "set -euo pipefail",
        ...text.params.map((n) => `${n}=${shq(values[n])}`),
        text.lib,
        SOURCES[step].trimEnd(),
        "",
    ].join("\n");
}

/**
 * The command sent over SSH: a POSIX sh wrapper that runs the bash body as
 * root, or through `sudo -n`, and fails clearly, naming the node, otherwise.
 */
export function renderStepScript(step: StepName, p: NodeScriptParams): string {
    const n = STEPS.indexOf(step) + 1;
    const body = renderStepBody(step, p);
    if (body.includes(TERMINATOR)) throw new Error(`the ${step} script contains its own terminator`);
    return [
        "#!/bin/sh",
        `# flannel-to-calico step ${n}/${STEPS.length} "${step}" for node ${p.node}.`,
        "# Runs as root, or through sudo -n; idempotent: a second run changes nothing.",
        "set -eu",
        `F2C_BODY=$(cat <<'${TERMINATOR}'`,
        body.trimEnd(),
        TERMINATOR,
        ")",
        'if [ "$(id -u)" -eq 0 ]; then',
        '  exec bash -c "$F2C_BODY" flannel-to-calico',
        "elif sudo -n true 2>/dev/null; then",
        '  exec sudo -n bash -c "$F2C_BODY" flannel-to-calico',
        "else",
        `  echo "[flannel-to-calico] node=${p.node} step=${step} failed: user $(id -un) is not root and cannot run sudo -n (a password or requiretty is in the way); use ssh.user root, or allow NOPASSWD sudo without requiretty" >&2`,
        "  exit 1",
        "fi",
        "",
    ].join("\n");
}

export function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}
