import { describe, expect, it } from 'vitest';
import { checkConfiguration, checkDescription, checkName, checkPageSize } from './validation.js';

describe('project field rules', () => {
  it('counts a name in characters after trimming', () => {
    expect(checkName('name', `  ${'é'.repeat(100)}  `)).toEqual([]);
    expect(checkName('name', '😀'.repeat(100))).toEqual([]);
    expect(checkName('name', 'x'.repeat(101))).toEqual([{ field: 'name', message: 'must be at most 100 characters' }]);
    expect(checkName('name', undefined)).toEqual([{ field: 'name', message: 'is required' }]);
  });

  it('allows an empty description and up to 2000 characters', () => {
    expect(checkDescription('description', '')).toEqual([]);
    expect(checkDescription('description', 'd'.repeat(2000))).toEqual([]);
    expect(checkDescription('description', 'd'.repeat(2001))).toHaveLength(1);
  });

  it('checks configuration keys and values one by one', () => {
    expect(checkConfiguration('configuration', { nodes: '3', ['k'.repeat(64)]: 'v'.repeat(1024) })).toEqual([]);
    expect(checkConfiguration('configuration', { ' ': '1', nodes: 3 as unknown as string })).toEqual([
      { field: 'configuration. ', message: 'key must not be empty' },
      { field: 'configuration.nodes', message: 'value must be text' },
    ]);
  });

  it('allows 100 configuration keys, not 101', () => {
    const entries = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, 'v']));

    expect(checkConfiguration('configuration', entries(100))).toEqual([]);
    expect(checkConfiguration('configuration', entries(101))).toEqual([{ field: 'configuration', message: 'must have at most 100 keys' }]);
  });

  it('takes page sizes from 1 to 100, or none', () => {
    expect([undefined, 1, 100].flatMap((size) => checkPageSize('pageSize', size))).toEqual([]);
    expect([0, 101, 1.5, Number.NaN].map((size) => checkPageSize('pageSize', size).length)).toEqual([1, 1, 1, 1]);
  });
});
