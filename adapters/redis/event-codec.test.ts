import { describe, expect, it } from 'vitest';
import { decodeEvent } from './event-codec.js';

describe('decodeEvent', () => {
  it('reads a JSON event with a type and an epoch-ms timestamp', () => {
    const decoded = decodeEvent(JSON.stringify({ type: 'login', timestamp: 1_700_000_000_000, userId: 'u-1' }));

    expect(decoded).toEqual({ ok: true, value: { type: 'login', timestamp: 1_700_000_000_000, userId: 'u-1' } });
  });

  it('turns an ISO timestamp, as other publishers send, into epoch ms', () => {
    const decoded = decodeEvent(JSON.stringify({ type: 'login', timestamp: '2024-05-01T12:00:00.000Z' }));

    expect(decoded.ok && decoded.value.timestamp).toBe(Date.parse('2024-05-01T12:00:00.000Z'));
  });

  it.each([
    ['not JSON', 'hello there', /not JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['JSON null', 'null', /not a JSON object/],
    ['no type', JSON.stringify({ timestamp: 1 }), /type/],
    ['an empty type', JSON.stringify({ type: '', timestamp: 1 }), /type/],
    ['no timestamp', JSON.stringify({ type: 'x' }), /timestamp/],
    ['a timestamp that is no date', JSON.stringify({ type: 'x', timestamp: 'soon' }), /timestamp/],
  ])('rejects %s with the reason', (_case, raw, reason) => {
    const decoded = decodeEvent(raw);

    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toMatch(reason);
  });

  it('rejects a payload over the byte limit, counting multi-byte characters as bytes', () => {
    const raw = JSON.stringify({ type: 'x', timestamp: 1, text: '山'.repeat(40) });

    expect(decodeEvent(raw, raw.length + 10).ok).toBe(false);
    expect(decodeEvent(raw, Buffer.byteLength(raw)).ok).toBe(true);
  });
});
