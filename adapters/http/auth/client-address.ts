import type { FastifyRequest } from 'fastify';
import { FORWARDED_ADDRESS_HEADER, type ForwardedAddressSigner } from '../forwarded-address.js';

/** Whom auth's HTTP port believes about the client's address (docs/adr/0035). */
export interface AddressTrust {
  /** Peers whose `x-forwarded-for` is believed (`AUTH_TRUSTED_PROXIES`). Default none. */
  readonly trustedProxies: readonly string[];
  /** Checks the address the gateway signs; absent: no signed address is believed. */
  readonly forwarded?: ForwardedAddressSigner | undefined;
}

/**
 * The client's address for login and registration throttling: the address the gateway signed, or,
 * when the peer is a configured proxy, the last address it put in `x-forwarded-for`, else the peer.
 * Anyone else's headers are ignored, loopback callers included, so they cannot dodge the throttle.
 */
export const clientAddress = (request: FastifyRequest, trust: AddressTrust): string => {
  const peer = request.socket.remoteAddress ?? request.ip;
  const signedHeader = request.headers[FORWARDED_ADDRESS_HEADER];
  const signed = trust.forwarded?.verify(typeof signedHeader === 'string' ? signedHeader : undefined);
  if (signed !== undefined) return signed;
  const forwarded = request.headers['x-forwarded-for'];
  if (!trust.trustedProxies.includes(peer) || typeof forwarded !== 'string') return peer;
  const hops = forwarded
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  return hops[hops.length - 1] ?? peer;
};
