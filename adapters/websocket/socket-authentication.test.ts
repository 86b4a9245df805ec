import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { chooseProtocol, tokenFromHeader, tokenFromProtocols } from './socket-authentication.js';

const offering = (header?: string) => ({ headers: header === undefined ? {} : { 'sec-websocket-protocol': header } }) as IncomingMessage;

describe('the bearer subprotocol', () => {
  it('finds the token offered after "bearer"', () => {
    expect(tokenFromProtocols(offering('bearer, eyJ.a.b'))).toBe('eyJ.a.b');
    expect(tokenFromProtocols(offering('json,bearer,tok'))).toBe('tok');
  });

  it('finds no token without "bearer" or without a value after it', () => {
    expect(tokenFromProtocols(offering())).toBeUndefined();
    expect(tokenFromProtocols(offering('json, tok'))).toBeUndefined();
    expect(tokenFromProtocols(offering('tok, bearer'))).toBeUndefined();
  });

  it('echoes "bearer" only when offered', () => {
    expect(chooseProtocol(new Set(['bearer', 'tok']))).toBe('bearer');
    expect(chooseProtocol(new Set(['json']))).toBe(false);
  });
});

describe('the Authorization header on the upgrade', () => {
  const withHeader = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

  it('finds the bearer token of the header', () => {
    expect(tokenFromHeader(withHeader('Bearer eyJ.a.b'))).toEqual({ ok: true, value: 'eyJ.a.b' });
    expect(tokenFromHeader(withHeader('bearer   tok'))).toEqual({ ok: true, value: 'tok' });
  });

  it('finds nothing without the header, so the other ways still apply', () => {
    expect(tokenFromHeader(withHeader())).toBeUndefined();
    expect(tokenFromHeader(withHeader(''))).toBeUndefined();
  });

  it('fails at once on a header that is not a bearer token', () => {
    const outcome = tokenFromHeader(withHeader('Basic YWRhOnNlY3JldA=='));
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'unauthenticated', code: 'malformed_credentials' } });
  });
});
