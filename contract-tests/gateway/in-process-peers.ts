import type { GatewayPeers, GatewayService, PeerDelivery } from '../../core/gateway/index.js';
import { DependencyUnavailableError, type DomainFailure } from '../../core/shared/errors.js';
import { ok, type Result } from '../../core/shared/result.js';

/**
 * Gateway instances of one test reaching each other by calling each other's service, as the gRPC
 * peers do over the network, forwarded calls scoped to the instance. An instance marked down cannot answer.
 */
export class InProcessGatewayPeers implements GatewayPeers {
  private readonly services = new Map<string, GatewayService>();
  readonly down = new Set<string>();

  add(instanceId: string, service: GatewayService): void {
    this.services.set(instanceId, service);
  }

  async route(instanceId: string, input: Parameters<GatewayPeers['route']>[1]): Promise<Result<PeerDelivery, DomainFailure>> {
    const report = await this.reach(instanceId).routeMessage(input, 'instance');
    return report.ok ? ok({ clientCount: report.value.clientCount }) : report;
  }

  async broadcast(instanceId: string, input: Parameters<GatewayPeers['broadcast']>[1]): Promise<Result<PeerDelivery, DomainFailure>> {
    const report = await this.reach(instanceId).broadcastMessage(input, 'instance');
    return report.ok ? ok({ clientCount: report.value.clientCount }) : report;
  }

  unregister(instanceId: string, input: Parameters<GatewayPeers['unregister']>[1]): Promise<Result<void, DomainFailure>> {
    return this.reach(instanceId).unregisterClient(input, 'instance');
  }

  private reach(instanceId: string): GatewayService {
    const service = this.services.get(instanceId);
    if (!service || this.down.has(instanceId)) throw new DependencyUnavailableError('api-gateway', `gateway ${instanceId} cannot answer`);
    return service;
  }
}
