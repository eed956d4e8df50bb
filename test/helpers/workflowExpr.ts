/**
 * Evaluates the subset of GitHub Actions expressions the workflows use in
 * `if:` (==, !=, &&, ||, !, parentheses, 'strings', numbers, true/false and
 * dotted context names), so tests check what a condition does, not its text.
 * Comparison is GitHub's for strings: case-insensitive.
 */
type Value = string | number | boolean | undefined;

export function evaluate(expr: string, context: Record<string, Value>): Value {
    const src = expr.replace(/^\$\{\{\s*|\s*\}\}$/g, "");
    const tokens = src.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[()!]|[A-Za-z_][A-Za-z0-9_.-]*|\d+(?:\.\d+)?/g) ?? [];
    let i = 0;
    const peek = () => tokens[i];
    const eq = (a: Value, b: Value) => String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase();
    const truthy = (v: Value) => v !== undefined && v !== "" && v !== 0 && v !== false;
    const primary = (): Value => {
        const t = tokens[i++];
        if (t === "(") {
            const v = or();
            i++;
            return v;
        }
        if (t === "!") return !truthy(primary());
        if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
        if (/^\d/.test(t)) return Number(t);
        if (t === "true" || t === "false") return t === "true";
        if (!(t in context)) throw new Error(`unknown context ${t} in ${expr}`);
        return context[t];
    };
    const comparison = (): Value => {
        const left = primary();
        if (peek() === "==" || peek() === "!=") {
            const op = tokens[i++];
            const right = primary();
            return op === "==" ? eq(left, right) : !eq(left, right);
        }
        return left;
    };
    const and = (): Value => {
        let v = comparison();
        while (peek() === "&&") {
            i++;
            const r = comparison();
            v = truthy(v) ? r : v;
        }
        return v;
    };
    const or = (): Value => {
        let v = and();
        while (peek() === "||") {
            i++;
            const r = and();
            v = truthy(v) ? v : r;
        }
        return v;
    };
    const v = or();
    if (i !== tokens.length) throw new Error(`cannot evaluate ${expr}`);
    return v;
}

/** Whether a step with this `if:` runs (no `if:` means it runs). */
export function runs(condition: unknown, context: Record<string, Value>): boolean {
    if (condition === undefined) return true;
    if (typeof condition === "boolean") return condition;
    const v = evaluate(String(condition), context);
    return v !== undefined && v !== "" && v !== 0 && v !== false;
}
