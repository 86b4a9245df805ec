import type { FastifyRequest } from 'fastify';

/** Peers whose `x-forwarded-for` is believed: the gateway on this host. */
export const defaultTrustedProxies: readonly string[] = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/**
 * The client's address for login throttling: the peer, or, when the peer is a trusted proxy (the
 * gateway forwarding the auth routes), the last address that proxy put in `x-forwarded-for`.
 * Anyone else's `x-forwarded-for` is ignored, so it cannot be used to dodge the throttle.
 */
export const clientAddress = (request: FastifyRequest, trustedProxies: readonly string[]): string => {
  const peer = request.socket.remoteAddress ?? request.ip;
  const forwarded = request.headers['x-forwarded-for'];
  if (!trustedProxies.includes(peer) || typeof forwarded !== 'string') return peer;
  const hops = forwarded.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
  return hops[hops.length - 1] ?? peer;
};
