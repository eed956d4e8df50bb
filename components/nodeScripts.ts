/**
 * Renders the node scripts: pure functions, no Pulumi. The text returned is
 * exactly what is sent to a node (and what the plan writes to nodes/).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { NetworkMode } from "../stacks/settings";
import { StepName, STEPS } from "./nodeSteps";

export { STEPS };
export type { StepName };

/** Where the steps keep markers and unit backups on the node. */
export const STATE_DIR = "/var/lib/flannel-to-calico";

export interface NodeScriptParams {
    readonly node: string;
    readonly podCidr: string;
    readonly mode: NetworkMode;
    /** cluster.kubernetesVersion; the kubelet step follows the node's own kubelet. */
    readonly kubernetesVersion: string;
    /** Calico images to pull before the cutover (registry mirror applied). */
    readonly images: readonly string[];
    /** The manifest's install-cni host paths. */
    readonly cniBinDir: string;
    readonly cniNetDir: string;
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

/** The parameters each step reads: a step's text changes only when what it uses changes. */
const STEP_PARAMS: Record<StepName, readonly string[]> = {
    "preflight": ["POD_CIDR", "KUBERNETES_VERSION", "KERNEL_MODULES", "MODULE_REQUIRED", "MODULE_NEEDED_BY", "CNI_BIN_DIR", "CNI_NET_DIR", "IMAGES"],
    "remove-flannel": ["POD_CIDR", "CNI_NET_DIR"],
    "docker": ["POD_CIDR"],
    "kubelet": [],
    "cni-state": ["CNI_NET_DIR"],
    "apply": [],
};

const TERMINATOR = "F2C_END_OF_SCRIPT";

interface LibPart { readonly name?: string; readonly text: string }

/** lib.sh split into its top-level statements and its functions (with the comments above them). */
function splitLib(src: string): LibPart[] {
    const parts: LibPart[] = [];
    const lines = src.split("\n");
    let comments: string[] = [];
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const one = /^([a-z_]+)\(\) \{.*\}\s*$/.exec(line);
        const multi = /^([a-z_]+)\(\) \{\s*$/.exec(line);
        if (one) { parts.push({ name: one[1], text: [...comments, line].join("\n") }); comments = []; continue; }
        if (multi) {
            const body = [line];
            while (i + 1 < lines.length && lines[i].trim() !== "}") body.push(lines[++i]);
            parts.push({ name: multi[1], text: [...comments, ...body].join("\n") });
            comments = [];
            continue;
        }
        if (/^\s*#/.test(line)) { comments.push(line); continue; }
        if (line.trim() === "") { if (comments.length) { parts.push({ text: comments.join("\n") }); comments = []; } continue; }
        parts.push({ text: [...comments, line].join("\n") });
        comments = [];
    }
    if (comments.length) parts.push({ text: comments.join("\n") });
    return parts;
}

const LIB = splitLib(SOURCES.lib);
const mentions = (text: string, name: string) => new RegExp(`(^|[^A-Za-z0-9_-])${name}([^A-Za-z0-9_-]|$)`, "m").test(text);

/**
 * The part of lib.sh a step needs: its top-level statements and every helper
 * the step (or a helper it needs) names. Keeps each script to what it runs.
 */
export function libFor(stepSource: string): string {
    const fns = LIB.filter((p) => p.name);
    const needed = new Set<string>();
    let frontier = [stepSource, ...LIB.filter((p) => !p.name).map((p) => p.text)];
    while (frontier.length) {
        const next: string[] = [];
        for (const f of fns) if (!needed.has(f.name!) && frontier.some((t) => mentions(t, f.name!))) { needed.add(f.name!); next.push(f.text); }
        frontier = next;
    }
    return LIB.filter((p) => !p.name || needed.has(p.name)).map((p) => p.text).join("\n");
}

/** The bash program of one step: parameters, shared helpers, the step. */
export function renderStepBody(step: StepName, p: NodeScriptParams): string {
    const k = kernelCheckFor(p.mode);
    const all: Record<string, string> = {
        POD_CIDR: p.podCidr, KUBERNETES_VERSION: p.kubernetesVersion,
        KERNEL_MODULES: k.modules.join(" "), MODULE_REQUIRED: k.required ? "yes" : "no", MODULE_NEEDED_BY: k.neededBy,
        CNI_BIN_DIR: p.cniBinDir, CNI_NET_DIR: p.cniNetDir, IMAGES: p.images.join(" "),
    };
    const lib = libFor(SOURCES[step]).trimEnd();
    const usesStateDir = /\$\{?STATE_DIR\b/.test(lib + SOURCES[step]);
    const vars: [string, string][] = [["NODE", p.node], ["STEP", step], ...(usesStateDir ? [["STATE_DIR", STATE_DIR] as [string, string]] : []), ...STEP_PARAMS[step].map((n): [string, string] => [n, all[n]])];
    return [
        "set -euo pipefail",
        ...vars.map(([name, v]) => `${name}=${shq(v)}`),
        lib,
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
        "if [ \"$(id -u)\" -eq 0 ]; then",
        "  exec bash -c \"$F2C_BODY\" flannel-to-calico",
        "elif sudo -n true 2>/dev/null; then",
        "  exec sudo -n bash -c \"$F2C_BODY\" flannel-to-calico",
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
