import type { SocketClosure, UserSockets } from '../../../core/auth/index.js';
import { Topics } from '../../../core/gateway/index.js';
import type { CollaboratorNotices, ProjectNotice } from '../../../core/project/ports.js';
import type { Simulation } from '../../../core/simulation/simulation.js';
import type { WatcherNotices } from '../../../core/simulation/ports.js';
import { DomainFailureError, type DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import type { GatewayServiceClient } from '../generated/gateway.js';
import type { Logger } from '../../observability/logger.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import { encodePayload } from './grpc-gateway-peers.js';

/** What the services send their users' clients: the message types a client sees (docs/adr/0052). */
export const GatewayMessageTypes = {
  /** Before a socket is closed by auth (4401): `payload.reason` is logout, session_revoked or deactivated. */
  sessionEnded: 'session_ended',
  /** To the users a deleted project was shared with. */
  projectDeleted: 'project_deleted',
  /** To the watchers of a simulation someone stopped. */
  simulationStopped: 'simulation_stopped',
} as const;

type ServiceName = 'auth' | 'project' | 'simulation';

/**
 * The services' side of the gateways' GatewayService (docs/adr/0052): any gateway instance takes
 * the call and delivers on every instance holding a target, answering the total. One class for the
 * ports of auth (UserSockets), project (CollaboratorNotices) and simulation (WatcherNotices).
 */
export class GrpcGatewayMessages implements UserSockets, CollaboratorNotices, WatcherNotices {
  constructor(
    private readonly gateways: ServiceCalls<GatewayServiceClient>,
    private readonly sourceService: ServiceName,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async close(closure: SocketClosure): Promise<number> {
    return this.route({
      targetUserId: closure.userId,
      targetSessionId: closure.sessionId ?? '',
      messageType: GatewayMessageTypes.sessionEnded,
      payload: { reason: closure.reason, ...(closure.sessionId && { session_id: closure.sessionId }) },
      disconnect: true,
    });
  }

  async notify(userIds: readonly string[], notice: ProjectNotice): Promise<number> {
    const payload = { project_id: notice.projectId, name: notice.name, actor_id: notice.actorId, at: notice.at };
    const counts = await Promise.all(
      [...new Set(userIds)].map((userId) => this.route({ targetUserId: userId, messageType: notice.type, payload })),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async stopped(simulation: Simulation): Promise<number> {
    const answer = await this.gateways.call(
      'broadcastMessage',
      {
        channel: Topics.simulation(simulation.id),
        messageType: GatewayMessageTypes.simulationStopped,
        payload: encodePayload({
          simulation_id: simulation.id,
          status: simulation.status,
          stopped_by: simulation.stoppedBy ?? '',
          reason: simulation.stopReason ?? '',
        }),
        sourceService: this.sourceService,
        excludeClientIds: [],
        forwarded: false,
      },
      { timeoutMs: this.timeoutMs },
    );
    return this.countOf(answer, 'BroadcastMessage');
  }

  private async route(message: {
    targetUserId: string;
    targetSessionId?: string;
    messageType: string;
    payload: unknown;
    disconnect?: boolean;
  }): Promise<number> {
    const answer = await this.gateways.call(
      'routeMessage',
      {
        targetUserId: message.targetUserId,
        targetClientId: '',
        targetSessionId: message.targetSessionId ?? '',
        messageType: message.messageType,
        payload: encodePayload(message.payload),
        sourceService: this.sourceService,
        disconnect: message.disconnect === true,
        forwarded: false,
      },
      { timeoutMs: this.timeoutMs },
    );
    return this.countOf(answer, 'RouteMessage');
  }

  /** A refusal is a fault of ours (the request was well formed, the caller on the allow-list): logged, and thrown as the ports say of faults. */
  private countOf(answer: Result<{ readonly clientCount: number }, DomainFailure>, rpc: string): number {
    if (answer.ok) return answer.value.clientCount;
    this.logger.error({ code: answer.error.code, target: 'api-gateway' }, `the gateway refused ${rpc}: ${answer.error.message}`);
    throw new DomainFailureError(answer.error);
  }
}
