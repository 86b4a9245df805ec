import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FORWARDED_ADDRESS_HEADER, ForwardedAddressSigner } from '../forwarded-address.js';
import { clientAddress } from './client-address.js';

const requestFrom = (peer: string, headers: Record<string, string> = {}): FastifyRequest =>
  ({ ip: peer, socket: { remoteAddress: peer }, headers }) as unknown as FastifyRequest;

const key = 'k'.repeat(32);

describe('clientAddress', () => {
  it('believes x-forwarded-for from a configured proxy, taking the hop that proxy added', () => {
    const trust = { trustedProxies: ['10.1.0.5'] };
    expect(clientAddress(requestFrom('10.1.0.5', { 'x-forwarded-for': '198.51.100.1, 203.0.113.5' }), trust)).toBe('203.0.113.5');
  });

  it('ignores x-forwarded-for from anyone else, loopback included: none is trusted by default', () => {
    expect(clientAddress(requestFrom('127.0.0.1', { 'x-forwarded-for': '203.0.113.5' }), { trustedProxies: [] })).toBe('127.0.0.1');
    expect(clientAddress(requestFrom('192.0.2.44', { 'x-forwarded-for': '203.0.113.5' }), { trustedProxies: ['10.1.0.5'] })).toBe(
      '192.0.2.44',
    );
  });

  it('believes the address the gateway signed, from any peer; not a forged, altered or stale one', () => {
    let now = Date.UTC(2026, 0, 1);
    const signer = new ForwardedAddressSigner(key, () => now);
    const trust = { trustedProxies: [], forwarded: signer };
    const signed = signer.sign('203.0.113.5');
    expect(clientAddress(requestFrom('127.0.0.1', { [FORWARDED_ADDRESS_HEADER]: signed }), trust)).toBe('203.0.113.5');

    const foreign = new ForwardedAddressSigner('x'.repeat(32), () => now).sign('203.0.113.5');
    const altered = signed.replace('203.0.113.5', '203.0.113.6');
    for (const header of [foreign, altered, '203.0.113.5', `${signed};extra`]) {
      expect(clientAddress(requestFrom('127.0.0.1', { [FORWARDED_ADDRESS_HEADER]: header }), trust)).toBe('127.0.0.1');
    }
    now += 31_000;
    expect(clientAddress(requestFrom('127.0.0.1', { [FORWARDED_ADDRESS_HEADER]: signed }), trust)).toBe('127.0.0.1');
  });

  it('is the peer when no header came', () => {
    expect(clientAddress(requestFrom('127.0.0.1'), { trustedProxies: ['127.0.0.1'] })).toBe('127.0.0.1');
    expect(clientAddress(requestFrom('127.0.0.1', { 'x-forwarded-for': ' , ' }), { trustedProxies: ['127.0.0.1'] })).toBe('127.0.0.1');
  });
});
