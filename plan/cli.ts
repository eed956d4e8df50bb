/**
 * What the command-line tools share: argument parsing with Node's
 * util.parseArgs (--flag value and --flag=value, --help), one error type per
 * exit code, and messages without stack traces.
 */
import * as fs from "fs";
import { parseArgs, ParseArgsConfig } from "util";

/** Exit codes of every tool, documented in the README ("Exit codes"). */
export const EXIT = {
    ok: 0,
    /** The stack's config has problems (each is listed). */
    badConfig: 1,
    /** The command line is wrong: an unknown flag, a missing value, an unknown stack or git ref. */
    badInput: 2,
    /** plan:diff --guard: a protected object would be deleted or replaced, or the provider replaced. */
    guardTripped: 3,
    /** Planning failed for another reason (a manifest that cannot be fetched, a program error). */
    planFailed: 4,
} as const;

/** An error that ends a tool with its own exit code and message (no stack trace). */
export class ToolError extends Error {
    constructor(
        message: string,
        readonly exitCode: number,
    ) {
        super(message);
    }
}

export const badInput = (message: string) => new ToolError(message, EXIT.badInput);

type Options = NonNullable<ParseArgsConfig["options"]>;

type Values<O extends Options> = { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string };

/** Parses argv strictly; --help prints the usage and exits 0. */
export function parseCommandLine<O extends Options>(usage: string, argv: readonly string[], options: O): Values<O> {
    let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    try {
        const all: Options = { ...options, help: { type: "boolean", short: "h" } };
        values = parseArgs({ args: [...argv], options: all, strict: true, allowPositionals: false }).values;
    } catch (e) {
        throw badInput(`${(e as Error).message.replace(/\. To specify a positional.*$/s, "")}\n${usage}`);
    }
    if (values.help) {
        process.stdout.write(`${usage}\n`);
        process.exit(EXIT.ok);
    }
    return values as Values<O>;
}

/** Runs a tool's main, turning errors into a message on stderr and an exit code. */
export function runTool(tool: string, main: () => Promise<void> | void): void {
    Promise.resolve()
        .then(main)
        .catch((e: unknown) => {
            const code = e instanceof ToolError ? e.exitCode : EXIT.planFailed;
            process.stderr.write(`${tool}: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exitCode = code;
        });
}

/** Peak resident memory of this process in MiB (Linux /proc), for npm run bench; undefined elsewhere. */
export function peakRssMiB(): number | undefined {
    const status = fs.existsSync("/proc/self/status") ? fs.readFileSync("/proc/self/status", "utf8") : "";
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return hwm ? Math.round(Number(hwm[1]) / 1024) : undefined;
}
