/**
 * The step library shipped to every node, and the short commands that run it.
 *
 * The library is one file holding every step's bash program and a POSIX sh
 * dispatcher. It depends only on the scripts, so one content-addressed copy
 * (`lib-<sha256>.sh`) serves every node and every stack of a release; it is
 * shipped once per node by `remote.CopyToRemote` and never stored in state.
 * A node's command names the steps and their parameters; before running it
 * checks the library's sha256 (a missing or altered file is refused), then
 * runs as root or through `sudo -n`.
 *
 * The dispatcher runs the steps in order, each in its own bash (as the
 * per-step commands did), writes each step's full output to
 * STATE_DIR/log/<step>.log and prints only the step's result and warning
 * lines, so what the engine stores per node stays small. A step that
 * succeeded leaves STATE_DIR/done/<step> holding the run key (library sha256,
 * parameters, rollout.recheck); a rerun with the same key skips it, so a
 * failed cutover resumes at the step that failed. A failure prints the last
 * lines of that step's log and the log's path. Pure functions.
 */
import { parametersIn, shq, STATE_DIR, stepProgram, sha256 } from "./render";
import { NODE_COMMANDS, NodeCommand, StepName, STEPS } from "./steps";

/** Where the library lands, relative to the SSH user's home (SFTP's working directory). */
export const REMOTE_DIR = ".flannel-to-calico";

export interface Library {
    readonly sha256: string;
    readonly text: string;
    /** File name: lib-<sha256>.sh (also the local asset's name). */
    readonly fileName: string;
    /** Where CopyToRemote puts it, relative to the user's home. */
    readonly remotePath: string;
    /** The parameters each step's program reads. */
    readonly parameters: ReadonlyMap<string, readonly string[]>;
}

const END = "F2C_END_OF_STEP";

const DISPATCHER = `
# Runs the steps of F2C_COMMAND (or those named in F2C_STEPS) with the run key F2C_RUN_KEY.
F2C_STEPS=\${F2C_STEPS:-$(f2c_steps "\${F2C_COMMAND:-}")}
STATE_DIR=\${STATE_DIR:-${STATE_DIR}}
export STATE_DIR
mkdir -p "$STATE_DIR/log" "$STATE_DIR/done"
for STEP in $F2C_STEPS; do
  export STEP
  marker="$STATE_DIR/done/$STEP"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$F2C_RUN_KEY" ]; then
    echo "$STEP: done earlier with this library and these parameters (skipped)"
    continue
  fi
  rm -f "$marker"
  log="$STATE_DIR/log/$STEP.log"
  if bash -c "$(f2c_program "$STEP")" flannel-to-calico > "$log" 2>&1; then
    # "<step>: <result>" and "<step> warning: ..." (the engine stores stdout: keep it short).
    sed -n -E 's/^\\[flannel-to-calico\\] node=[^ ]+ step=([^ ]+) result: /\\1: /p; s/^\\[flannel-to-calico\\] node=[^ ]+ step=([^ ]+) warning: /\\1 warning: /p' "$log"
    printf '%s\\n' "$F2C_RUN_KEY" > "$marker"
  else
    rc=$?
    tail -n 40 "$log" >&2
    echo "[flannel-to-calico] node=$NODE step=$STEP failed (exit $rc); its full output is in $log on the node" >&2
    exit "$rc"
  fi
done
`;

/** The library text for a set of step programs (the real steps by default). */
export function libraryText(programs: ReadonlyMap<string, string>): string {
    const cases = [...programs].map(([step, program]) => {
        if (program.includes(END)) throw new Error(`the ${step} program contains the library's terminator`);
        return `    ${step}) cat <<'${END}'\n${program.trimEnd()}\n${END}\n      ;;`;
    });
    return [
        "#!/bin/sh",
        "# flannel-to-calico step library: every node step and a dispatcher (nodes/bundle.ts).",
        "# Run by the stack's commands, as root: F2C_STEPS, F2C_RUN_KEY and the steps' parameters in the environment.",
        "set -eu",
        "f2c_program() {",
        '  case "$1" in',
        ...cases,
        '    *) echo "[flannel-to-calico] unknown step $1" >&2; return 1 ;;',
        "  esac",
        "}",
        "f2c_steps() {",
        '  case "$1" in',
        ...Object.entries(NODE_COMMANDS).map(([c, steps]) => `    ${c}) echo "${steps.join(" ")}" ;;`),
        '    *) echo "[flannel-to-calico] unknown command $1" >&2; return 1 ;;',
        "  esac",
        "}",
        DISPATCHER.trim(),
        "",
    ].join("\n");
}

function realPrograms(): Map<string, string> {
    return new Map(STEPS.map((s) => [s, stepProgram(s)]));
}

export function library(programs: ReadonlyMap<string, string> = realPrograms()): Library {
    const text = libraryText(programs);
    const sha = sha256(text);
    const fileName = `lib-${sha}.sh`;
    const parameters = new Map([...programs].map(([step, program]) => [step, parametersIn(program)]));
    return { sha256: sha, text, fileName, remotePath: `${REMOTE_DIR}/${fileName}`, parameters };
}

/** The parameters a set of steps reads (the union), and the two the dispatcher reads; STEP it sets itself. */
export function parametersOf(lib: Library, steps: readonly StepName[]): string[] {
    const all = ["NODE", "STATE_DIR", ...steps.flatMap((s) => lib.parameters.get(s) ?? [])];
    return [...new Set(all)].filter((n) => n !== "STEP");
}

export interface Invocation {
    /** Node name, for messages. */
    readonly node: string;
    readonly steps: readonly StepName[];
    /** Parameter values; only those the steps read are sent. */
    readonly values: Readonly<Record<string, string>>;
    /** rollout.recheck: part of the run key, so a new value runs every step again. */
    readonly recheck: string;
    /** The command's name ("cutover"), when the steps are one of NODE_COMMANDS: the library knows its steps. */
    readonly command?: NodeCommand;
}

/** The run key: a step done with the same library, parameters and recheck is skipped. */
export function runKey(lib: Library, inv: Invocation, names: readonly string[]): string {
    // Not the node name: the key lives on the node, and node commands then differ only in it (the plan shares them).
    const params = names
        .filter((n) => n !== "NODE")
        .map((n) => `${n}=${inv.values[n] ?? ""}`)
        .join("\n");
    return sha256(`${lib.sha256}\n${params}\n${inv.recheck}`).slice(0, 32);
}

/**
 * The command sent over SSH for some steps of one node: check the library,
 * then run it as root (or through sudo -n) with the steps' parameters.
 */
export function invocation(lib: Library, inv: Invocation): string {
    // STATE_DIR is the library's default unless a test moves it.
    const names = parametersOf(lib, inv.steps).filter((n) => n !== "STATE_DIR" || inv.values[n] !== STATE_DIR);
    const missing = names.filter((n) => inv.values[n] === undefined);
    if (missing.length) throw new Error(`no value for ${missing.join(", ")} (node ${inv.node})`);
    const known = inv.command !== undefined && NODE_COMMANDS[inv.command].join(" ") === inv.steps.join(" ");
    const env = [
        ...names.map((n) => `${n}=${shq(inv.values[n])}`),
        known ? `F2C_COMMAND=${inv.command}` : `F2C_STEPS=${shq(inv.steps.join(" "))}`,
        `F2C_RUN_KEY=${runKey(lib, inv, names)}`,
    ];
    const what = known ? inv.command : inv.steps.join(",");
    // Short on purpose: the engine stores this text twice per node (inputs and outputs).
    return [
        "set -eu",
        `s=${lib.sha256} l="$HOME/${REMOTE_DIR}/lib-$s.sh" w="[flannel-to-calico] node=${inv.node} ${what} failed:"`,
        'echo "$s  $l" | sha256sum -c --status 2>/dev/null || { echo "$w no intact $l: new rollout.recheck ships it" >&2; exit 1; }',
        `set -- env ${env.join(" ")} sh "$l"`,
        '[ "$(id -u)" -eq 0 ] || { sudo -n true 2>/dev/null && set -- sudo -n "$@"; } ||' +
            ' { echo "$w $(id -un) is not root and has no sudo -n" >&2; exit 1; }',
        'exec "$@"',
        "",
    ].join("\n");
}

/** One entry per step from commands' stdout ("docker: changed (2 change(s))"); empty before the commands ran. */
export function summarize(stdouts: readonly (string | undefined)[]): string {
    const lines = stdouts.flatMap((o) => (o ?? "").split("\n"));
    const results = lines
        .map((l) => /^([a-z-]+): (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]}: ${m[2]}`);
    return results.join("; ");
}
