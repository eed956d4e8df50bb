/**
 * Checks a Calico selector (IPPool nodeSelector, BGPPeer nodeSelector) the
 * way Calico parses it, so a typo fails here instead of in the cluster.
 *
 * The grammar, carried over from projectcalico/calico
 * libcalico-go/lib/selector/tokenizer/tokenizer.go and parser/parser.go
 * (v3.26): labels match [a-zA-Z0-9_./-]{1,512}; strings are '...' or "..."
 * (no escapes); after a label come ==, !=, in {..}, not in {..}, contains,
 * starts with, ends with; the terms has(label), all() and global(); ! for
 * negation, && binding tighter than ||, and parentheses.
 */

type Token =
    | { kind: "label" | "string" | "has"; value: string }
    | { kind: "(" | ")" | "{" | "}" | "," | "==" | "!=" | "!" | "&&" | "||" | "in" | "not in" }
    | { kind: "contains" | "starts with" | "ends with" | "all" | "global" | "eof" };

const LABEL = /^[a-zA-Z0-9_./-]{1,512}/;
const SIMPLE: Record<string, Token["kind"]> = { "(": "(", ")": ")", "{": "{", "}": "}", ",": "," };
const TWO: Record<string, Token["kind"]> = { "==": "==", "!=": "!=", "&&": "&&", "||": "||" };
const OPERATORS: [RegExp, Token["kind"]][] = [
    [/^contains/, "contains"],
    [/^starts[ \t]+with/, "starts with"],
    [/^ends[ \t]+with/, "ends with"],
    [/^not[ \t]+in/, "not in"],
    [/^in/, "in"],
];

function tokenize(input: string): Token[] {
    const out: Token[] = [];
    let s = input;
    for (;;) {
        s = s.replace(/^[ \t]+/, "");
        if (!s) return [...out, { kind: "eof" }];
        const two = TWO[s.slice(0, 2)];
        const quote = s[0] === '"' || s[0] === "'" ? s[0] : undefined;
        const call = /^(has|all|global)\([ \t]*/.exec(s);
        if (two) {
            out.push({ kind: two } as Token);
            s = s.slice(2);
        } else if (SIMPLE[s[0]]) {
            out.push({ kind: SIMPLE[s[0]] } as Token);
            s = s.slice(1);
        } else if (s[0] === "!") {
            out.push({ kind: "!" });
            s = s.slice(1);
        } else if (quote) {
            const end = s.indexOf(quote, 1);
            if (end < 0) throw new Error("unterminated string");
            out.push({ kind: "string", value: s.slice(1, end) });
            s = s.slice(end + 1);
        } else if (out.at(-1)?.kind === "label") {
            const op = OPERATORS.find(([re]) => re.test(s));
            if (!op) throw new Error(`expected an operator after a label at "${s}"`);
            out.push({ kind: op[1] } as Token);
            s = s.replace(op[0], "");
        } else if (call) {
            s = s.slice(call[0].length);
            const label = call[1] === "has" ? LABEL.exec(s)?.[0] : "";
            if (label === undefined) throw new Error("no label name in has(");
            s = s.slice(label.length).replace(/^[ \t]*/, "");
            if (s[0] !== ")") throw new Error(`no closing ) after ${call[1]}(`);
            s = s.slice(1);
            out.push(call[1] === "has" ? { kind: "has", value: label } : ({ kind: call[1] } as Token));
        } else {
            const label = LABEL.exec(s)?.[0];
            if (!label) throw new Error(`unexpected characters at "${s}"`);
            out.push({ kind: "label", value: label });
            s = s.slice(label.length);
        }
    }
}

/** A recursive-descent check of the token stream; throws naming what it expected. */
class Parser {
    private i = 0;
    constructor(private readonly tokens: Token[]) {}
    private peek = () => this.tokens[this.i].kind;
    private accept(kind: Token["kind"]): boolean {
        if (this.peek() !== kind) return false;
        this.i++;
        return true;
    }
    private expect(kind: Token["kind"]): void {
        if (this.peek() !== kind) throw new Error(`expected ${kind}, found ${this.peek()}`);
        this.i++;
    }
    all(): void {
        this.or();
        this.expect("eof");
    }
    private or(): void {
        this.and();
        while (this.accept("||")) this.and();
    }
    private and(): void {
        this.unary();
        while (this.accept("&&")) this.unary();
    }
    private unary(): void {
        const k = this.peek();
        this.i++;
        if (k === "!") return this.unary();
        if (k === "(") {
            this.or();
            return this.expect(")");
        }
        if (k === "has" || k === "all" || k === "global") return;
        if (k !== "label") throw new Error(`expected a label, has(), all() or global(), found ${k}`);
        const op = this.peek();
        this.i++;
        if (op === "in" || op === "not in") return this.set();
        if (!["==", "!=", "contains", "starts with", "ends with"].includes(op))
            throw new Error(`expected an operator, found ${op}`);
        this.expect("string");
    }
    private set(): void {
        this.expect("{");
        if (this.accept("}")) return;
        this.expect("string");
        while (this.accept(",")) this.expect("string");
        this.expect("}");
    }
}

/** Why a selector does not parse as Calico would parse it; undefined when it does. */
export function selectorProblem(selector: string): string | undefined {
    try {
        new Parser(tokenize(selector)).all();
        return undefined;
    } catch (e) {
        return (e as Error).message;
    }
}
