// SPDX-License-Identifier: BSD-3-Clause
// A small JSON parser for safetensors headers that, unlike JSON.parse, refuses duplicate keys
// (JSON.parse keeps the last one silently), keeps numbers as their source text (shapes may exceed
// 2^53), and bounds nesting.

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
/** A number exactly as written. */
export class JsonNumber { constructor(readonly text: string) {} }
/** Keys in order, duplicates refused. */
export class JsonObject { readonly entries = new Map<string, JsonValue>(); }

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: number, readonly duplicateKey?: string) { super(message); }
}

const MAX_DEPTH = 64;

export function parseStrictJson(s: string): JsonValue {
  let i = 0;
  const err = (m: string): never => { throw new JsonSyntaxError(`${m} at position ${i}`, i); };
  const ws = (): void => { while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++; };
  const str = (): string => {
    if (s[i] !== '"') err("expected a string");
    i++;
    let out = "";
    for (;;) {
      if (i >= s.length) err("unterminated string");
      const c = s[i++]!;
      if (c === '"') return out;
      if (c === "\\") {
        const e = s[i++];
        switch (e) {
          case '"': out += '"'; break;
          case "\\": out += "\\"; break;
          case "/": out += "/"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "n": out += "\n"; break;
          case "r": out += "\r"; break;
          case "t": out += "\t"; break;
          case "u": {
            const h = s.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) err("bad \\u escape");
            out += String.fromCharCode(parseInt(h, 16));
            i += 4;
            break;
          }
          default: err("bad escape");
        }
      } else if (c < " ") {
        err("control character in string");
      } else out += c;
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) err(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = s[i];
    if (c === "{") {
      i++;
      const o = new JsonObject();
      ws();
      if (s[i] === "}") { i++; return o; }
      for (;;) {
        ws();
        const at = i;
        const k = str();
        if (o.entries.has(k)) throw new JsonSyntaxError(`duplicate key ${JSON.stringify(k)} at position ${at}`, at, k);
        ws();
        if (s[i] !== ":") err("expected ':'");
        i++;
        o.entries.set(k, value(depth + 1));
        ws();
        if (s[i] === ",") { i++; continue; }
        if (s[i] === "}") { i++; return o; }
        err("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const a: JsonValue[] = [];
      ws();
      if (s[i] === "]") { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (s[i] === ",") { i++; continue; }
        if (s[i] === "]") { i++; return a; }
        err("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (s.startsWith("true", i)) { i += 4; return true; }
    if (s.startsWith("false", i)) { i += 5; return false; }
    if (s.startsWith("null", i)) { i += 4; return null; }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(i, i + 400));
    if (m === null || m[0].length === 0) return err("unexpected character");
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const v = value(0);
  ws();
  if (i !== s.length) err("trailing characters after JSON");
  return v;
}
