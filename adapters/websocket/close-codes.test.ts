import { describe, expect, it } from 'vitest';
import { closeCodeOf, closeReasonOf, closeText } from './close-codes.js';

describe('close codes', () => {
  it('tells "log in again" from "not yours" from "no such thing" from "come back later"', () => {
    expect(closeCodeOf[closeReasonOf('unauthenticated')]).toBe(4401);
    expect(closeCodeOf[closeReasonOf('forbidden')]).toBe(4403);
    expect(closeCodeOf[closeReasonOf('not_found')]).toBe(4404);
    expect(closeCodeOf[closeReasonOf('unavailable')]).toBe(1013);
    expect(closeCodeOf[closeReasonOf('invalid')]).toBe(1008);
    expect(closeCodeOf.lagging).toBe(1013);
    expect(closeCodeOf.shutdown).toBe(1001);
  });

  it('cuts a reason to the 123 bytes a close frame allows, without splitting a character', () => {
    expect(closeText('short')).toBe('short');
    const cut = closeText('é'.repeat(100));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('...')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });
});
