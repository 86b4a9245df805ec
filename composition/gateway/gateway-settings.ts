import { randomUUID } from 'node:crypto';
import type { RateLimit } from '../../core/gateway/index.js';
import type { ConnectionLimits } from '../../adapters/websocket/web-socket-connection.js';
import { ConfigError } from '../config.js';
import { EnvReader, type Env } from '../env-reader.js';

/** The gateway's own settings (beside MeshConfig, which the lead may fold them into). */
export interface GatewaySettings {
  /** Names this instance in ClientInfo, logs and its notification worker pool. */
  readonly instanceId: string;
  /** Origins allowed to call the client API from a browser besides its own; `*` for any. */
  readonly corsOrigins: readonly string[];
  /** TLS terminates in front of the gateway: send HSTS. */
  readonly behindTls: boolean;
  readonly perAddress: RateLimit;
  readonly perUser: RateLimit;
  /**
   * `local` (default): token signatures checked here, sessions cached and evicted by auth's events;
   * `remote`: ValidateToken on every request (docs/adr/0022).
   */
  readonly tokenValidation: 'local' | 'remote';
  /** Deadlines of downstream calls, ms. */
  readonly timeouts: { readonly auth: number; readonly project: number; readonly simulation: number };
  readonly websocket: {
    readonly maxMessageBytes: number;
    readonly authTimeoutMs: number;
    readonly heartbeatMs: number;
    readonly connection: ConnectionLimits;
  };
}

/** Reads `GATEWAY_*` variables; throws one ConfigError listing every bad value. */
export const loadGatewaySettings = (env: Env = process.env): GatewaySettings => {
  const reader = new EnvReader(env, []);
  const { problems } = reader;
  const instanceId = reader.raw('GATEWAY_INSTANCE_ID') ?? `gateway-${randomUUID().slice(0, 8)}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(instanceId)) problems.push(`GATEWAY_INSTANCE_ID must be 1-64 of A-Z a-z 0-9 . _ -; got '${instanceId}'`);
  const corsOrigins = reader.list('GATEWAY_CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin)) {
      problems.push(`GATEWAY_CORS_ORIGINS entries must be scheme://host[:port] or *; got '${origin}'`);
    }
  }
  const settings: GatewaySettings = {
    instanceId,
    corsOrigins,
    behindTls: reader.flag('GATEWAY_BEHIND_TLS'),
    tokenValidation: reader.oneOf('GATEWAY_TOKEN_VALIDATION', ['local', 'remote'], 'local'),
    perAddress: {
      burst: reader.integer('GATEWAY_RATE_BURST_PER_ADDRESS', 200, 1, 1_000_000),
      perSecond: reader.integer('GATEWAY_RATE_PER_ADDRESS', 100, 1, 1_000_000),
    },
    perUser: {
      burst: reader.integer('GATEWAY_RATE_BURST_PER_USER', 100, 1, 1_000_000),
      perSecond: reader.integer('GATEWAY_RATE_PER_USER', 50, 1, 1_000_000),
    },
    timeouts: {
      auth: reader.integer('GATEWAY_AUTH_TIMEOUT_MS', 2_000, 1, 600_000),
      project: reader.integer('GATEWAY_PROJECT_TIMEOUT_MS', 3_000, 1, 600_000),
      simulation: reader.integer('GATEWAY_SIMULATION_TIMEOUT_MS', 5_000, 1, 600_000),
    },
    websocket: {
      maxMessageBytes: reader.integer('GATEWAY_WS_MAX_MESSAGE_BYTES', 16_384, 256, 16_777_216),
      authTimeoutMs: reader.integer('GATEWAY_WS_AUTH_TIMEOUT_MS', 5_000, 10, 600_000),
      heartbeatMs: reader.integer('GATEWAY_WS_HEARTBEAT_MS', 30_000, 10, 3_600_000),
      connection: {
        highWaterBytes: reader.integer('GATEWAY_WS_HIGH_WATER_BYTES', 262_144, 1_024, 268_435_456),
        maxQueuedMessages: reader.integer('GATEWAY_WS_MAX_QUEUED_MESSAGES', 256, 1, 1_000_000),
        maxLagMs: reader.integer('GATEWAY_WS_MAX_LAG_MS', 10_000, 10, 3_600_000),
      },
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
};
