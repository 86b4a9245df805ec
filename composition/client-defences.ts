import { clientAddress, defaultTrustedProxies } from '../adapters/http/auth/client-address.js';
import type { ClientDefences } from '../adapters/http/client-api/client-defences.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { RateLimiter } from '../core/gateway/index.js';
import type { GatewaySettings } from './config.js';

/**
 * The defences of a service's own HTTP port: the gateway's CORS allow-list, HSTS setting and
 * per-address limit (one set of settings for the whole client API, docs/adr/0029). Requests the
 * gateway forwards count against the client it names in `x-forwarded-for`, not against the gateway.
 */
export const serviceClientDefences = (settings: Pick<GatewaySettings, 'corsOrigins' | 'behindTls' | 'perAddress'>): ClientDefences => ({
  cors: { allowedOrigins: settings.corsOrigins },
  security: { behindTls: settings.behindTls },
  perAddress: new RateLimiter(settings.perAddress, new SystemClock()),
  addressOf: (request) => clientAddress(request, defaultTrustedProxies),
});
