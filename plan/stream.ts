/**
 * Reading large plan files piece by piece, never as one string (V8 caps a
 * string at about 512 MiB; a 5000-node plan of the older layout was larger):
 * the lines of a JSON Lines file, and the elements of a JSON array.
 */
import * as fs from "fs";
import { StringDecoder } from "string_decoder";

/** The text of a file in chunks, decoded as UTF-8 (a character is never split). */
async function* chunks(file: string): AsyncGenerator<string> {
    const decoder = new StringDecoder("utf8");
    for await (const b of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield decoder.write(b as Buffer);
    const rest = decoder.end();
    if (rest) yield rest;
}

/** The non-empty lines of a file, without their line ends. */
export async function* lines(file: string): AsyncGenerator<string> {
    let carry = "";
    for await (const c of chunks(file)) {
        const text = carry + c;
        let start = 0;
        for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
            const line = text.slice(start, nl).replace(/\r$/, "");
            if (line) yield line;
            start = nl + 1;
        }
        carry = text.slice(start);
    }
    if (carry.trim()) yield carry;
}

/**
 * Splits JSON array text, fed in chunks, into the text of each element.
 * Tracks strings (and their escapes) and nesting only; each element is
 * parsed on its own by the caller.
 */
export class JsonArraySplitter {
    private depth = 0;
    private inString = false;
    private escaped = false;
    /** What the element in progress is: nothing yet, an object/array, a string, or a literal (number, true...). */
    private kind: "none" | "nested" | "string" | "literal" = "none";
    /** Text of the element in progress, from earlier chunks. */
    private pending = "";

    /** The elements completed by this chunk. */
    push(chunk: string): string[] {
        const out: string[] = [];
        let start = 0;
        const finish = (end: number) => {
            out.push(this.pending + chunk.slice(start, end));
            this.pending = "";
            this.kind = "none";
        };
        const quoteOrEscape = /["\\]/g;
        for (let i = 0; i < chunk.length; i++) {
            if (this.inString) {
                if (this.escaped) {
                    this.escaped = false;
                    continue;
                }
                quoteOrEscape.lastIndex = i;
                const m = quoteOrEscape.exec(chunk);
                if (!m) break;
                i = m.index;
                if (chunk[i] === "\\") this.escaped = true;
                else {
                    this.inString = false;
                    if (this.kind === "string" && this.depth === 1) finish(i + 1);
                }
                continue;
            }
            const ch = chunk[i];
            if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") {
                if (this.kind === "literal") finish(i);
                continue;
            }
            if (this.depth === 1 && (ch === "," || ch === "]")) {
                if (this.kind === "literal") finish(i);
                if (ch === "]") this.depth = 0;
                continue;
            }
            if (this.depth === 1 && this.kind === "none") {
                start = i;
                this.kind = ch === "{" || ch === "[" ? "nested" : ch === '"' ? "string" : "literal";
            }
            if (ch === '"') this.inString = true;
            else if (ch === "[" || ch === "{") this.depth++;
            else if (ch === "]" || ch === "}") {
                this.depth--;
                if (this.depth === 1 && this.kind === "nested") finish(i + 1);
            }
        }
        if (this.kind !== "none") this.pending += chunk.slice(start);
        return out;
    }

    /** Throws unless the array was complete. */
    end(): void {
        if (this.depth !== 0 || this.inString || this.kind !== "none") throw new Error("the JSON array is cut short");
    }
}

/** The elements of a file holding one JSON array, parsed one by one. */
export async function* jsonArrayItems(file: string): AsyncGenerator<unknown> {
    const splitter = new JsonArraySplitter();
    for await (const c of chunks(file)) for (const text of splitter.push(c)) yield JSON.parse(text);
    splitter.end();
}
