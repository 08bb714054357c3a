/**
 * Line wrapping of generated C. Kernel templates write compact one-line statements; this pass
 * breaks every line longer than the limit at a statement, brace or argument boundary (never in a
 * string, character literal or preprocessor line), so the text reads in an editor and a review
 * tool. Only whitespace changes: the token stream, and so the machine code, stays the same.
 *
 * @module
 */

/** Longest line the generated C may have. */
export const C_LINE_LIMIT = 120;

/**
 * A `#define` with an optional comment: on the same line when it fits within
 * {@link C_LINE_LIMIT}, else on the line above (a preprocessor line is never wrapped).
 */
export function defineLine(name: string, body: string, note?: string): string {
  const line = `#define ${name} ${body}`;
  if (!note) return line;
  const inline = `${line} /* ${note} */`;
  return inline.length <= C_LINE_LIMIT ? inline : `/* ${name}: ${note} */\n${line}`;
}

/** Break positions and how good a place each is to break (higher is better). */
function breakCandidates(line: string): { at: number; rank: number }[] {
  const out: { at: number; rank: number }[] = [];
  let state: "code" | "string" | "char" | "comment" = "code";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (state === "string" || state === "char") {
      if (c === "\\") i++;
      else if (c === (state === "string" ? '"' : "'")) state = "code";
      continue;
    }
    if (state === "comment") {
      if (c === "*" && next === "/") {
        state = "code";
        i++;
      } else if (c === " ") out.push({ at: i, rank: 1 });
      continue;
    }
    if (c === "/" && next === "/") break; // a line comment runs to the end of the line
    if (c === "/" && next === "*") {
      state = "comment";
      i++;
    } else if (c === '"') state = "string";
    else if (c === "'") state = "char";
    else if (c === " ") {
      const prev = line[i - 1];
      const rank = prev === ";" || prev === "{" || prev === "}" ? 3 : prev === "," ? 2 : 1;
      out.push({ at: i, rank });
    }
  }
  return out;
}

/** Split one line into lines of at most `limit` characters where C allows it. */
function wrapLine(line: string, limit: number): string[] {
  if (line.length <= limit || line.trimStart().startsWith("#")) return [line];
  const indent = /^\s*/.exec(line)![0];
  const cont = `${indent}    `;
  const out: string[] = [];
  let rest = line;
  let prefix = "";
  while ((prefix + rest).length > limit) {
    const text = prefix + rest;
    const minAt = prefix.length + Math.min(30, Math.floor(limit / 4));
    const fits = breakCandidates(text).filter((b) => b.at > minAt && b.at <= limit);
    if (fits.length === 0) break;
    const bestRank = Math.max(...fits.map((b) => b.rank));
    const at = fits.filter((b) => b.rank === bestRank).at(-1)!.at;
    out.push(text.slice(0, at).trimEnd());
    rest = text.slice(at + 1).trimStart();
    prefix = cont;
  }
  out.push(prefix + rest);
  return out;
}

/**
 * Wrap every line of a C translation unit to at most `limit` characters.
 *
 * @example
 * ```ts
 * import { wrapC } from "./c_format.ts";
 * wrapC("int a = 1; int b = 2;", 14); // "int a = 1;\n    int b = 2;"
 * ```
 */
export function wrapC(source: string, limit: number = C_LINE_LIMIT): string {
  return source.split("\n").flatMap((l) => wrapLine(l, limit)).join("\n");
}
