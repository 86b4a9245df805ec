import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer-token.js';

describe('bearerToken', () => {
  it('extracts the token of a bearer authorization', () => {
    expect(bearerToken('Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig-_~+/==')).toEqual({ ok: true, value: 'eyJhbGciOiJIUzI1NiJ9.e30.sig-_~+/==' });
  });

  it('accepts the scheme in any case and surrounding spaces', () => {
    expect(bearerToken('  bearer   abc.def ')).toEqual({ ok: true, value: 'abc.def' });
  });

  it('reports missing credentials as unauthenticated', () => {
    for (const header of [undefined, '']) {
      expect(bearerToken(header)).toEqual({
        ok: false,
        error: expect.objectContaining({ kind: 'unauthenticated', code: 'missing_credentials' }),
      });
    }
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer two tokens', 'Bearer ab"c', 'Bearerabc'])(
    'reports "%s" as malformed credentials',
    (header) => {
      expect(bearerToken(header)).toEqual({
        ok: false,
        error: expect.objectContaining({ kind: 'unauthenticated', code: 'malformed_credentials' }),
      });
    },
  );

  it('rejects a header sent more than once', () => {
    expect(bearerToken(['Bearer a', 'Bearer b'])).toMatchObject({ ok: false, error: { code: 'malformed_credentials' } });
  });
});
