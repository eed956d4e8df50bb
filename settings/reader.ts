/**
 * A config reader that collects problems instead of throwing at the first.
 * Each problem names the key, the bad value (never a secret) and the fix.
 * Helpers with a default return a plain value, so callers need no `!`.
 */
import { Secret } from "./secret";
import { CONFIG_NAMESPACE } from "./types";

export type Raw = Record<string, unknown>;

/** The full config key of a path: "flannel-to-calico:network.mode". */
export const key = (path: string): string => `${CONFIG_NAMESPACE}:${path}`;

/** Shows a config value in a message; secrets and long values are not echoed. */
export function show(v: unknown): string {
    if (Secret.is(v)) return Secret.placeholder;
    if (v === undefined) return "missing";
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const isBlank = (v: unknown): boolean => v === undefined || v === null || v === "";

interface IntOptions {
    readonly min?: number;
    readonly max?: number;
    readonly required?: boolean;
    readonly fix?: string;
}

export class Reader {
    readonly problems: string[] = [];
    readonly warnings: string[] = [];

    problem(path: string, value: unknown, fix: string): void {
        this.problems.push(`${key(path)} is ${show(value)}: ${fix}`);
    }

    warn(text: string): void {
        this.warnings.push(text);
    }

    object(path: string, v: unknown, required: boolean): Raw | undefined {
        if (v === undefined || v === null) {
            if (required) {
                this.problem(
                    path,
                    undefined,
                    `it is required; set it in Pulumi.<stack>.yaml (see README, "Config reference")`,
                );
            }
            return undefined;
        }
        if (typeof v !== "object" || Array.isArray(v) || Secret.is(v)) {
            this.problem(path, v, "expected an object of keys");
            return undefined;
        }
        return v as Raw;
    }

    unknownKeys(path: string, o: Raw | undefined, allowed: readonly string[]): void {
        if (!o) return;
        for (const k of Object.keys(o)) {
            if (!allowed.includes(k)) {
                this.problem(`${path}.${k}`, o[k], `unknown key; the keys of ${key(path)} are ${allowed.join(", ")}`);
            }
        }
    }

    /** A section's object (empty when absent or wrong) with its unknown keys reported. */
    section(path: string, v: unknown, allowed: readonly string[], required = false): Raw {
        const o = this.object(path, v, required);
        this.unknownKeys(path, o, allowed);
        return o ?? {};
    }

    string(path: string, v: unknown, opts: { required?: boolean } = {}): string | undefined {
        if (isBlank(v)) {
            if (opts.required) this.problem(path, v, "it is required");
            return undefined;
        }
        if (Secret.is(v)) {
            this.problem(path, v, "this key is not a secret; set it without --secret");
            return undefined;
        }
        if (typeof v !== "string") {
            this.problem(path, v, "expected a string");
            return undefined;
        }
        return v;
    }

    /** A string with a default: never undefined. */
    stringOr(path: string, v: unknown, def: string): string {
        return this.string(path, v) ?? def;
    }

    bool(path: string, v: unknown, def: boolean): boolean {
        if (v === undefined || v === null) return def;
        if (typeof v === "boolean") return v;
        if (v === "true" || v === "false") return v === "true";
        this.problem(path, v, "expected true or false");
        return def;
    }

    int(path: string, v: unknown, opts: IntOptions = {}): number | undefined {
        if (isBlank(v)) {
            if (opts.required) this.problem(path, v, "it is required");
            return undefined;
        }
        const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
        const tooSmall = opts.min !== undefined && typeof n === "number" && n < opts.min;
        const tooLarge = opts.max !== undefined && typeof n === "number" && n > opts.max;
        if (typeof n !== "number" || !Number.isInteger(n) || tooSmall || tooLarge) {
            const range = `${opts.min ?? "-inf"}..${opts.max ?? "inf"}`;
            this.problem(path, v, opts.fix ?? `expected a whole number in ${range}`);
            return undefined;
        }
        return n;
    }

    /** A whole number with a default: the default also stands in for a bad value (which is reported). */
    intOr(path: string, v: unknown, def: number, opts: IntOptions = {}): number {
        return this.int(path, v, opts) ?? def;
    }

    /** A key that must be set with --secret. */
    secret(path: string, v: unknown, what: string): Secret | undefined {
        if (isBlank(v)) return undefined;
        if (Secret.is(v)) return v;
        // Never echo the value: it is a key or credential committed in plain text.
        this.problems.push(
            `${key(path)} holds ${what} in plain text: it would be committed with the stack file. ` +
                `Remove it and set it as a secret: pulumi config set --path --secret ${key(path)} < FILE`,
        );
        return undefined;
    }
}

/** The object with every field defined, or undefined when any is missing (a problem was reported for it). */
export function allDefined<T extends Record<string, unknown>>(
    o: T,
): { [K in keyof T]-?: NonNullable<T[K]> } | undefined {
    return Object.values(o).every((v) => v !== undefined && v !== null)
        ? (o as { [K in keyof T]-?: NonNullable<T[K]> })
        : undefined;
}
