import type {
  BroadcastMessageInput,
  GatewayPeers,
  PeerDelivery,
  RouteMessageInput,
  UnregisterClientInput,
} from '../../../core/gateway/index.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import type { GatewayServiceClient } from '../generated/gateway.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';

/** A payload as the GatewayService carries it: JSON bytes (nothing for undefined). */
export const encodePayload = (payload: unknown): Buffer => (payload === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(payload)));

/**
 * The other gateway instances over gRPC (docs/adr/0052): the GatewayService call itself, marked
 * `forwarded` so the receiving instance delivers to its own clients only, pinned to the instance
 * the directory names (the mesh client never hands it to another).
 */
export class GrpcGatewayPeers implements GatewayPeers {
  constructor(
    private readonly gateways: ServiceCalls<GatewayServiceClient>,
    private readonly timeoutMs: number,
  ) {}

  async route(instanceId: string, input: RouteMessageInput): Promise<Result<PeerDelivery, DomainFailure>> {
    const answer = await this.gateways.call(
      'routeMessage',
      {
        targetUserId: input.targetUserId,
        targetClientId: input.targetClientId ?? '',
        targetSessionId: input.targetSessionId ?? '',
        messageType: input.messageType,
        payload: encodePayload(input.payload),
        sourceService: input.sourceService,
        disconnect: input.disconnect === true,
        forwarded: true,
      },
      { instanceId, timeoutMs: this.timeoutMs },
    );
    return answer.ok ? ok({ clientCount: answer.value.clientCount }) : answer;
  }

  async broadcast(instanceId: string, input: BroadcastMessageInput): Promise<Result<PeerDelivery, DomainFailure>> {
    const answer = await this.gateways.call(
      'broadcastMessage',
      {
        channel: input.channel,
        messageType: input.messageType,
        payload: encodePayload(input.payload),
        sourceService: input.sourceService,
        excludeClientIds: [...(input.excludeClientIds ?? [])],
        forwarded: true,
      },
      { instanceId, timeoutMs: this.timeoutMs },
    );
    return answer.ok ? ok({ clientCount: answer.value.clientCount }) : answer;
  }

  async unregister(instanceId: string, input: UnregisterClientInput): Promise<Result<void, DomainFailure>> {
    const answer = await this.gateways.call(
      'unregisterClient',
      {
        clientId: input.clientId,
        sessionId: input.sessionId ?? '',
        reason: 'unregistered',
        callingService: 'api-gateway',
        forwarded: true,
      },
      { instanceId, timeoutMs: this.timeoutMs },
    );
    return answer.ok ? ok(undefined) : answer;
  }
}
