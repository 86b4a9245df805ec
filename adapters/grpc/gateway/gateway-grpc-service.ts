import type { ConnectedClient, GatewayService } from '../../../core/gateway/index.js';
import { invalidField } from '../../../core/gateway/index.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { ClientInfo, GatewayServiceServer } from '../generated/gateway.js';
import { serviceHealth } from '../service-health.js';
import { unaryHandler } from '../unary-handler.js';

/** Numbers the instance reports in HealthCheck details. */
export type GatewayHealthDetails = () => Record<string, string>;

const clientInfo = (client: ConnectedClient): ClientInfo => ({
  clientId: client.clientId,
  userId: client.userId,
  sessionId: client.sessionId,
  connectionType: client.connectionType,
  subscriptions: [...client.subscriptions],
  connectedAt: client.connectedAt,
  lastSeenAt: client.lastSeenAt,
  instanceId: client.instanceId,
});

/** A payload is JSON (the gateway hands it to browsers as such); empty is `null`. */
const decodePayload = (payload: Buffer): Result<unknown, DomainFailure> => {
  if (payload.length === 0) return ok(null);
  try {
    return ok(JSON.parse(payload.toString('utf8')));
  } catch {
    return err(invalidField('payload', 'must be JSON (UTF-8)'));
  }
};

/**
 * `gateway.GatewayService` over gRPC: the clients of THIS gateway instance. RouteMessage and
 * BroadcastMessage deliver to the sockets this instance holds and report how many took the message.
 */
export const gatewayGrpcService = (gateway: GatewayService, health: GatewayHealthDetails, logger: Logger): GatewayServiceServer => ({
  registerClient: unaryHandler(async (request) => {
    const registered = gateway.registerClient(request);
    if (!registered.ok) return registered;
    return { success: true, sessionId: registered.value.sessionId, message: `registered on ${registered.value.instanceId}` };
  }, logger),

  unregisterClient: unaryHandler(async ({ clientId, sessionId, reason }) => {
    const removed = gateway.unregisterClient({ clientId, sessionId });
    if (!removed.ok) return removed;
    return { success: true, message: `client ${clientId} unregistered`, reason: reason || 'unregistered' };
  }, logger),

  routeMessage: unaryHandler(async (request) => {
    const payload = decodePayload(request.payload);
    if (!payload.ok) return payload;
    const report = gateway.routeMessage({ ...request, payload: payload.value });
    if (!report.ok) return report;
    const { delivered, clientCount } = report.value;
    return {
      delivered,
      clientCount,
      message: delivered ? `delivered to ${clientCount} client(s)` : 'no connected client of the user on this instance',
    };
  }, logger),

  broadcastMessage: unaryHandler(async (request) => {
    const payload = decodePayload(request.payload);
    if (!payload.ok) return payload;
    const report = gateway.broadcastMessage({ ...request, payload: payload.value });
    if (!report.ok) return report;
    const { delivered, clientCount } = report.value;
    return {
      delivered,
      clientCount,
      message: delivered ? `delivered to ${clientCount} client(s)` : 'no subscribed client on this instance',
    };
  }, logger),

  getConnectedClients: unaryHandler(async (request) => {
    const page = gateway.connectedClients(request);
    if (!page.ok) return page;
    return { clients: page.value.clients.map(clientInfo), nextPageToken: page.value.nextPageToken, totalCount: page.value.totalCount };
  }, logger),

  getClientInfo: unaryHandler(async ({ clientId }) => {
    const client = gateway.clientInfo(clientId);
    return client.ok ? ok({ client: clientInfo(client.value) }) : client;
  }, logger),

  healthCheck: unaryHandler(async () => serviceHealth('api-gateway', health()), logger),
});
