import { describe, expect, it } from 'vitest';
import { RandomIdGenerator } from './random-id-generator.js';

describe('RandomIdGenerator', () => {
  it('makes version-4 UUIDs that do not repeat', () => {
    const ids = new RandomIdGenerator();

    const made = Array.from({ length: 1_000 }, () => ids.next());

    expect(new Set(made).size).toBe(1_000);
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
