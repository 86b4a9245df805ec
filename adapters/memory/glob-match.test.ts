import { describe, it, expect } from 'vitest';
import { globMatch } from './glob-match.js';

describe('globMatch (Redis PSUBSCRIBE semantics)', () => {
  it.each([
    ['auth:events:*', 'auth:events:login', true],
    ['auth:events:*', 'auth:events:', true],
    ['auth:events:*', 'auth:event', false],
    // Redis 7 quirk: a pattern never matches the empty name unless it is empty too.
    ['*', '', false],
    ['*', 'anything at all', true],
    ['a*b*c', 'a-b-b-c', true],
    ['a*b*c', 'a-b-b-d', false],
    ['**:x', 'a:b:x', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['h[ae]llo', 'hello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-c]t', 'hbt', true],
    ['h[c-a]t', 'hbt', true],
    ['h[a-c]t', 'hdt', false],
    ['h[\\]]t', 'h]t', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a\\?', 'a?', true],
    ['a\\[b', 'a[b', true],
    ['x\\', 'x\\', true],
    ['plain', 'plain', true],
    ['plain', 'plains', false],
    ['', '', true],
    ['', 'a', false],
  ])('matches %j against %j: %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('treats an unclosed set as running to the end of the pattern, as Redis does', () => {
    expect(globMatch('a[bc', 'ab')).toBe(true);
    expect(globMatch('a[bc', 'ad')).toBe(false);
  });

  it('matches bytes, so ? matches one byte of a multi-byte character, not the character', () => {
    expect(globMatch('caf?', 'café')).toBe(false);
    expect(globMatch('caf??', 'café')).toBe(true);
    expect(globMatch('caf*', 'café')).toBe(true);
  });

  it('gives up on a pathological pattern instead of backtracking forever', () => {
    const text = 'a'.repeat(60);
    const pattern = `${'a*'.repeat(30)}b`;
    const started = Date.now();
    expect(globMatch(pattern, text)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
