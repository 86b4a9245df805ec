import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { clientAddress, defaultTrustedProxies } from './client-address.js';

const requestFrom = (peer: string, forwarded?: string): FastifyRequest =>
  ({ ip: peer, socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as FastifyRequest;

describe('clientAddress', () => {
  it('believes x-forwarded-for from a trusted proxy, taking the hop that proxy added', () => {
    expect(clientAddress(requestFrom('127.0.0.1', '198.51.100.1, 203.0.113.5'), defaultTrustedProxies)).toBe('203.0.113.5');
  });

  it('ignores x-forwarded-for from anyone else, so it cannot dodge the throttle', () => {
    expect(clientAddress(requestFrom('192.0.2.44', '203.0.113.5'), defaultTrustedProxies)).toBe('192.0.2.44');
  });

  it('is the peer when no header came', () => {
    expect(clientAddress(requestFrom('127.0.0.1'), defaultTrustedProxies)).toBe('127.0.0.1');
    expect(clientAddress(requestFrom('127.0.0.1', ' , '), defaultTrustedProxies)).toBe('127.0.0.1');
  });
});
