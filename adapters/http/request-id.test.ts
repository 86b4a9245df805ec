import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.js';

const generated = (): string => 'generated-id';

describe('requestIdFrom', () => {
  it('keeps a caller-supplied id made of safe characters', () => {
    expect(requestIdFrom('7f3c2a10-gw.01:trace_9', generated)).toBe('7f3c2a10-gw.01:trace_9');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with spaces', 'a b'],
    ['with markup', '<script>'],
    ['with a line break', 'a\r\nset-cookie: x'],
    ['too long', 'x'.repeat(129)],
  ])('generates a fresh id when the header is %s', (_case, header) => {
    expect(requestIdFrom(header, generated)).toBe('generated-id');
  });

  it('generates a fresh id when the header was sent twice', () => {
    expect(requestIdFrom(['a', 'b'], generated)).toBe('generated-id');
  });

  it('generates UUIDs by default', () => {
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
