import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from './event-codec.js';

describe('decodeEvent', () => {
  it('reads a JSON event with a type and an epoch-ms timestamp', () => {
    const decoded = decodeEvent(JSON.stringify({ type: 'login', timestamp: 1_700_000_000_000, userId: 'u-1' }));

    expect(decoded).toEqual({
      ok: true,
      value: { event: { type: 'login', timestamp: 1_700_000_000_000, userId: 'u-1' }, parent: undefined },
    });
  });

  it('turns an ISO timestamp, as other publishers send, into epoch ms', () => {
    const decoded = decodeEvent(JSON.stringify({ type: 'login', timestamp: '2024-05-01T12:00:00.000Z' }));

    expect(decoded.ok && decoded.value.event.timestamp).toBe(Date.parse('2024-05-01T12:00:00.000Z'));
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

  it("takes the publisher's traceparent out of the event and reads it as the parent span", () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const decoded = decodeEvent(encodeEvent({ type: 'created', timestamp: 5, projectId: 'p-1' }, traceparent));

    expect(decoded).toEqual({
      ok: true,
      value: {
        event: { type: 'created', timestamp: 5, projectId: 'p-1' },
        parent: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
      },
    });
  });

  it('keeps an event whose traceparent is malformed, without a parent', () => {
    const decoded = decodeEvent(JSON.stringify({ type: 'created', timestamp: 5, traceparent: '00-zz-not-a-span' }));

    expect(decoded).toEqual({ ok: true, value: { event: { type: 'created', timestamp: 5 }, parent: undefined } });
  });

  it('encodes an event without a traceparent as its bare JSON, no field added', () => {
    expect(encodeEvent({ type: 'created', timestamp: 5 })).toBe('{"type":"created","timestamp":5}');
  });
});
