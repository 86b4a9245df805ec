import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type {
  ApiCall,
  ApiAnswer,
  HistoryQuery,
  MetricsQuery,
  NewSimulationBody,
  ResultsQuery,
  SimulationBackend,
  ValidationBody,
} from '../../http/gateway/client-api-ports.js';
import type { SimulationServiceClient } from '../generated/simulation.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import type { RequestOf, ResponseOf, UnaryMethodName } from '../mesh/unary-method-types.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import { jsonAnswer } from '../../http/client-api/client-json.js';
import { downstreamCall } from './downstream-call.js';

/** The client API's simulation routes, as calls to `simulation.SimulationService` (JSON ↔ proto here, nowhere else). */
export class GrpcSimulationBackend implements SimulationBackend {
  constructor(
    private readonly simulations: ServiceCalls<SimulationServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('simulation'),
  ) {}

  start(call: ApiCall, body: NewSimulationBody): ApiAnswer {
    return this.call(call, 'startSimulation', {
      userId: call.userId,
      projectId: body.project_id,
      configuration: { ...body.configuration },
      components: [...(body.components ?? [])],
      durationSeconds: body.duration_seconds ?? 0,
      enableRealTime: body.enable_real_time ?? true,
    });
  }

  status(call: ApiCall, simulationId: string): ApiAnswer {
    return this.call(call, 'getSimulationStatus', { simulationId, userId: call.userId });
  }

  stop(call: ApiCall, simulationId: string, reason: string): ApiAnswer {
    return this.call(call, 'stopSimulation', { simulationId, userId: call.userId, reason });
  }

  results(call: ApiCall, simulationId: string, query: ResultsQuery): ApiAnswer {
    return this.call(call, 'getSimulationResults', {
      simulationId,
      userId: call.userId,
      includeSamples: query.include_samples ?? false,
      maxSamples: query.max_samples ?? 0,
    });
  }

  metrics(call: ApiCall, simulationId: string, query: MetricsQuery): ApiAnswer {
    return this.call(call, 'getLiveMetrics', {
      simulationId,
      userId: call.userId,
      since: query.since ?? 0,
      maxSamples: query.max_samples ?? 0,
    });
  }

  analysis(call: ApiCall, simulationId: string): ApiAnswer {
    return this.call(call, 'getPerformanceAnalysis', { simulationId, userId: call.userId });
  }

  validate(call: ApiCall, body: ValidationBody): ApiAnswer {
    return this.call(call, 'validateConfiguration', {
      userId: call.userId,
      projectId: body.project_id ?? '',
      configuration: { ...body.configuration },
      components: [...(body.components ?? [])],
      durationSeconds: body.duration_seconds ?? 0,
    });
  }

  history(call: ApiCall, projectId: string, query: HistoryQuery): ApiAnswer {
    return this.call(call, 'getSimulationHistory', {
      userId: call.userId,
      projectId,
      status: query.status ?? '',
      pageSize: query.page_size ?? 0,
      pageToken: query.page_token ?? '',
    });
  }

  private async call<K extends UnaryMethodName<SimulationServiceClient>>(
    call: ApiCall,
    method: K,
    request: RequestOf<SimulationServiceClient, K>,
  ): ApiAnswer {
    const answer = await downstreamCall(this.simulations, method, request, this.timeoutMs, {
      requestId: call.requestId,
      ...(call.idempotencyKey !== undefined && { idempotencyKey: call.idempotencyKey }),
    });
    return jsonAnswer(answer as Result<ResponseOf<SimulationServiceClient, K> & object, DomainFailure>);
  }
}
