import { clientAddress, type AddressTrust } from '../adapters/http/auth/client-address.js';
import { ForwardedAddressSigner } from '../adapters/http/forwarded-address.js';
import type { ClientDefences } from '../adapters/http/client-api/client-defences.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { RateLimiter } from '../core/gateway/index.js';
import type { MeshConfig } from './config.js';

/**
 * The defences of a service's own HTTP port: the gateway's CORS allow-list, HSTS setting and
 * per-address limit (one set of settings for the whole client API, docs/adr/0029). Requests the
 * gateway forwards count against the client address it signs, and `x-forwarded-for` is believed only
 * from configured proxies (docs/adr/0035), so a caller cannot pick the address it is counted under.
 */
export const serviceClientDefences = (config: Pick<MeshConfig, 'gateway' | 'auth' | 'forwardingKey'>): ClientDefences => {
  const trust: AddressTrust = {
    trustedProxies: config.auth.trustedProxies,
    forwarded: new ForwardedAddressSigner(config.forwardingKey),
  };
  return {
    cors: { allowedOrigins: config.gateway.corsOrigins },
    security: { behindTls: config.gateway.behindTls },
    perAddress: new RateLimiter(config.gateway.perAddress, new SystemClock()),
    addressOf: (request) => clientAddress(request, trust),
  };
};
