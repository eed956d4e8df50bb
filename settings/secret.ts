/**
 * A value that must never be printed: SSH keys, kubeconfig contents.
 * Its string and JSON forms are "[secret]", so an accidental log line, error
 * message or plan file shows the placeholder and not the value.
 */
export class Secret {
    static readonly placeholder = "[secret]";
    readonly #value: string;
    constructor(value: string) {
        this.#value = value;
    }
    /** The real value: only for handing to `pulumi.secret(...)`. */
    reveal(): string {
        return this.#value;
    }
    toString(): string {
        return Secret.placeholder;
    }
    toJSON(): string {
        return Secret.placeholder;
    }
    [Symbol.for("nodejs.util.inspect.custom")](): string {
        return Secret.placeholder;
    }
    static is(v: unknown): v is Secret {
        return v instanceof Secret;
    }
}
