/**
 * lib.sh cut into its parts, so each step carries only the helpers it runs.
 *
 * lib.sh follows a strict shape, which this splitter enforces and fails
 * loudly on: at column 0 a line is a comment, blank, a one-line function
 * `name() { ...; }`, the opening `name() {` of a function whose body is
 * indented and whose closing `}` stands alone at column 0, or a top-level
 * statement (an assignment, `trap`, or a bare call of a function defined
 * above it, such as `lock_node`). Anything else is an error naming the line,
 * so a helper can never be cut in the middle. Pure.
 */

export interface LibPart {
    /** The function's name; undefined for top-level statements and comment blocks. */
    readonly name?: string;
    /** The text, with the comment lines directly above it. */
    readonly text: string;
    /** Matches a word-bounded use of the function's name (precompiled once). */
    readonly use?: RegExp;
}

const ONE_LINE = /^([a-z_][a-z0-9_]*)\(\) \{.*\}\s*$/;
const OPENING = /^([a-z_][a-z0-9_]*)\(\) \{\s*(#.*)?$/;
const STATEMENT = /^([A-Za-z_][A-Za-z0-9_]*=|trap )/;

const useOf = (name: string) => new RegExp(`(^|[^A-Za-z0-9_-])${name}([^A-Za-z0-9_-]|$)`, "m");

export function splitLib(src: string, file = "lib.sh"): LibPart[] {
    const parts: LibPart[] = [];
    const lines = src.split("\n");
    let comments: string[] = [];
    const defined = new Set<string>();
    const push = (text: string[], name?: string) => {
        if (name) defined.add(name);
        parts.push({ ...(name ? { name, use: useOf(name) } : {}), text: [...comments, ...text].join("\n") });
        comments = [];
    };
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const one = ONE_LINE.exec(line);
        const open = OPENING.exec(line);
        if (one) {
            push([line], one[1]);
        } else if (open) {
            const body = [line];
            for (i++; i < lines.length && lines[i] !== "}"; i++) {
                if (lines[i] !== "" && !/^\s/.test(lines[i])) {
                    throw new Error(
                        `${file} line ${i + 1}: "${lines[i]}" is at column 0 inside function ${open[1]}; ` +
                            "indent the body and close the function with a lone } at column 0",
                    );
                }
                body.push(lines[i]);
            }
            if (i >= lines.length)
                throw new Error(
                    `${file}: function ${open[1]} (line ${body.length ? i - body.length + 1 : i}) is never closed by a lone }`,
                );
            push([...body, "}"], open[1]);
        } else if (/^\s*#/.test(line)) {
            comments.push(line);
        } else if (line.trim() === "") {
            if (comments.length) push([]);
        } else if (STATEMENT.test(line) || defined.has(line)) {
            push([line]);
        } else {
            throw new Error(
                `${file} line ${i + 1}: "${line}" is neither a function, a comment, an assignment, a trap nor a call of a function above; ` +
                    "the splitter that ships helpers to each step cannot place it",
            );
        }
    }
    if (comments.length) push([]);
    return parts;
}

/**
 * The part of the library a step needs: its top-level statements and every
 * helper the step (or a helper it needs) names, in library order.
 */
export function libFor(lib: readonly LibPart[], stepSource: string): string {
    const fns = lib.filter(
        (p): p is LibPart & { name: string; use: RegExp } => p.name !== undefined && p.use !== undefined,
    );
    const needed = new Set<string>();
    let frontier = [stepSource, ...lib.filter((p) => !p.name).map((p) => p.text)];
    while (frontier.length) {
        const next: string[] = [];
        for (const f of fns) {
            if (!needed.has(f.name) && frontier.some((t) => f.use.test(t))) {
                needed.add(f.name);
                next.push(f.text);
            }
        }
        frontier = next;
    }
    return lib
        .filter((p) => !p.name || needed.has(p.name))
        .map((p) => p.text)
        .join("\n");
}
