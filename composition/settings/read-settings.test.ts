import { describe, expect, it } from 'vitest';
import { readSettings } from './read-settings.js';
import { integer, list, oneOf, text } from './setting.js';

const tree = {
  level: oneOf('T_LEVEL', ['low', 'high'], 'low', 'a level'),
  nested: {
    count: integer('T_COUNT', { default: 3, min: 1, max: 9, times: 1_000 }, 'a count'),
    names: list('T_NAMES', { expects: 'lower-case names', check: (name) => /^[a-z]+$/.test(name) }, 'names'),
  },
  token: text('T_TOKEN', { default: undefined, minLength: 4 }, 'a token'),
  password: text('T_PASSWORD', { default: undefined, keepBlanks: true }, 'a password'),
};

describe('readSettings', () => {
  it('gives the tree of defaults for an empty or blank environment', () => {
    const read = readSettings(tree, { T_LEVEL: '  ', T_NAMES: '' });
    expect(read).toEqual({
      values: { level: 'low', nested: { count: 3_000, names: [] }, token: undefined, password: undefined },
      problems: [],
    });
  });

  it('reads values into the same shape, trimmed unless the setting keeps blanks', () => {
    const read = readSettings(tree, { T_LEVEL: 'high', T_COUNT: ' 7 ', T_NAMES: 'a, b,,c', T_TOKEN: ' abcd\n', T_PASSWORD: ' pw ' });
    expect(read.values).toEqual({ level: 'high', nested: { count: 7_000, names: ['a', 'b', 'c'] }, token: 'abcd', password: ' pw ' });
  });

  it('reports every bad variable at once and keeps its default', () => {
    const read = readSettings(tree, { T_LEVEL: 'mid', T_COUNT: '10', T_NAMES: 'a,B,c1', T_TOKEN: 'abc' });
    expect(read.values.nested.count).toBe(3_000);
    expect(read.problems).toEqual([
      "T_LEVEL must be one of low, high; got 'mid'",
      "T_COUNT must be an integer from 1 to 9; got '10'",
      "T_NAMES entries must be lower-case names; got 'B', 'c1'",
      'T_TOKEN must be at least 4 characters',
    ]);
  });
});
