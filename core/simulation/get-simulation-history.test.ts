import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './get-simulation-history.js';

describe('page tokens', () => {
  it('decode to the cursor they were made from', () => {
    const cursor = { startedAt: 1_767_225_600_000, id: '6f1c.8a2e-1b7d' };

    expect(decodePageToken(encodePageToken(cursor))).toEqual(cursor);
  });

  it.each(['', 'abc', '.id', 'zz!.id', '00k.id'])('refuse the made-up token %j', (token) => {
    expect(decodePageToken(token)).toBeUndefined();
  });
});
