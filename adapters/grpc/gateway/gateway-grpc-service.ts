import type { ConnectedClient, DeliveryScope, GatewayService, MeshDelivery } from '../../../core/gateway/index.js';
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

const deliveryText = (report: MeshDelivery, nobody: string): string => {
  const unreachable = report.unreachable.length > 0 ? `; unreachable: ${report.unreachable.join(', ')}` : '';
  const reached = report.delivered ? `delivered to ${report.clientCount} client(s) on ${report.instanceCount} gateway instance(s)` : nobody;
  return reached + unreachable;
};

const deliveryResponse = (report: MeshDelivery, nobody: string) => ({
  delivered: report.delivered,
  clientCount: report.clientCount,
  message: deliveryText(report, nobody),
  instanceCount: report.instanceCount,
  unreachableInstances: [...report.unreachable],
});

const scopeOf = (forwarded: boolean): DeliveryScope => (forwarded ? 'instance' : 'mesh');

/**
 * `gateway.GatewayService` over gRPC: the clients of every gateway instance (docs/adr/0052).
 * RouteMessage and BroadcastMessage deliver on every instance holding a target and report how many
 * clients took the message; a request marked `forwarded` (from another instance) is delivered here only.
 */
export const gatewayGrpcService = (gateway: GatewayService, health: GatewayHealthDetails, logger: Logger): GatewayServiceServer => ({
  registerClient: unaryHandler(async (request) => {
    const registered = gateway.registerClient(request);
    if (!registered.ok) return registered;
    return { success: true, sessionId: registered.value.sessionId, message: `registered on ${registered.value.instanceId}` };
  }, logger),

  unregisterClient: unaryHandler(async ({ clientId, sessionId, reason, forwarded }) => {
    const removed = await gateway.unregisterClient({ clientId, sessionId }, scopeOf(forwarded));
    if (!removed.ok) return removed;
    return ok({ success: true, message: `client ${clientId} unregistered`, reason: reason || 'unregistered' });
  }, logger),

  routeMessage: unaryHandler(async ({ forwarded, ...request }) => {
    const payload = decodePayload(request.payload);
    if (!payload.ok) return payload;
    const report = await gateway.routeMessage({ ...request, payload: payload.value }, scopeOf(forwarded));
    if (!report.ok) return report;
    return ok(deliveryResponse(report.value, 'no connected client of the target on any gateway instance'));
  }, logger),

  broadcastMessage: unaryHandler(async ({ forwarded, ...request }) => {
    const payload = decodePayload(request.payload);
    if (!payload.ok) return payload;
    const report = await gateway.broadcastMessage({ ...request, payload: payload.value }, scopeOf(forwarded));
    if (!report.ok) return report;
    return ok(deliveryResponse(report.value, 'no subscribed client on any gateway instance'));
  }, logger),

  getConnectedClients: unaryHandler(async (request) => {
    const page = await gateway.connectedClients(request);
    if (!page.ok) return page;
    return ok({ clients: page.value.clients.map(clientInfo), nextPageToken: page.value.nextPageToken, totalCount: page.value.totalCount });
  }, logger),

  getClientInfo: unaryHandler(async ({ clientId }) => {
    const client = await gateway.clientInfo(clientId);
    return client.ok ? ok({ client: clientInfo(client.value) }) : client;
  }, logger),

  healthCheck: unaryHandler(async () => serviceHealth('api-gateway', health()), logger),
});
