/**
 * Redis glob matching (`stringmatchlen` in util.c), as PSUBSCRIBE, KEYS and SCAN MATCH use it:
 * `*` any run of bytes, `?` one byte, `[abc]` / `[a-c]` / `[^a]` a set (with `\` escapes inside),
 * `\x` the literal x. Works on UTF-8 bytes like Redis, so `?` matches one byte, not one character.
 */
export type GlobMatcher = (text: string) => boolean;

const encoder = new TextEncoder();

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;
const BACKSLASH = 0x5c;

/** Compiles `pattern` once for matching many channel names. */
export const globMatcher = (pattern: string): GlobMatcher => {
  const compiled = encoder.encode(pattern);
  return (text) => matchBytes(compiled, 0, encoder.encode(text), 0, { skipLongerMatches: false }, 0);
};

export const globMatch = (pattern: string, text: string): boolean => globMatcher(pattern)(text);

interface ScanState {
  skipLongerMatches: boolean;
}

const MAX_NESTING = 1000;

function matchBytes(pattern: Uint8Array, p: number, text: Uint8Array, s: number, state: ScanState, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const pEnd = pattern.length;
  const sEnd = text.length;
  while (p < pEnd && s < sEnd) {
    const token = pattern[p]!;
    if (token === STAR) {
      while (p + 1 < pEnd && pattern[p + 1] === STAR) p++;
      if (p + 1 === pEnd) return true;
      for (; s < sEnd; s++) {
        if (matchBytes(pattern, p + 1, text, s, state, nesting + 1)) return true;
        if (state.skipLongerMatches) return false;
      }
      // The rest of the pattern matches nowhere in the rest of the text: an earlier `*` taking a
      // longer run cannot help either.
      state.skipLongerMatches = true;
      return false;
    } else if (token === QUESTION) {
      s++;
    } else if (token === OPEN) {
      const set = matchSet(pattern, p + 1, text[s]!);
      if (!set.matched) return false;
      p = set.closeIndex;
      s++;
    } else {
      if (token === BACKSLASH && p + 1 < pEnd) p++;
      if (pattern[p] !== text[s]) return false;
      s++;
    }
    p++;
    if (s === sEnd) {
      while (p < pEnd && pattern[p] === STAR) p++;
      break;
    }
  }
  return p === pEnd && s === sEnd;
}

/** Matches one byte against the set opening at `p` (just after `[`); returns where the set ends. */
function matchSet(pattern: Uint8Array, p: number, byte: number): { matched: boolean; closeIndex: number } {
  const pEnd = pattern.length;
  const negated = pattern[p] === CARET;
  if (negated) p++;
  let matched = false;
  for (;;) {
    if (p >= pEnd) {
      // An unclosed set runs to the end of the pattern, as in Redis.
      p = pEnd - 1;
      break;
    }
    const token = pattern[p]!;
    if (token === BACKSLASH && p + 1 < pEnd) {
      p++;
      if (pattern[p] === byte) matched = true;
    } else if (token === CLOSE) {
      break;
    } else if (p + 2 < pEnd && pattern[p + 1] === DASH) {
      const low = Math.min(token, pattern[p + 2]!);
      const high = Math.max(token, pattern[p + 2]!);
      if (byte >= low && byte <= high) matched = true;
      p += 2;
    } else if (token === byte) {
      matched = true;
    }
    p++;
  }
  return { matched: negated ? !matched : matched, closeIndex: p };
}
