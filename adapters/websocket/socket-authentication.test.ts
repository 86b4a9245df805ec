import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { chooseProtocol, tokenFromProtocols } from './socket-authentication.js';

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
