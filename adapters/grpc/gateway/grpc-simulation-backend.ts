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
import type { GrpcClientSource } from '../grpc-client-source.js';
import type { UnaryMethod } from '../grpc-unary-call.js';
import { jsonAnswer } from './client-json.js';
import { downstreamCall } from './downstream-call.js';

/** The client API's simulation routes, as calls to `simulation.SimulationService` (JSON ↔ proto here, nowhere else). */
export class GrpcSimulationBackend implements SimulationBackend {
  constructor(
    private readonly simulations: GrpcClientSource<SimulationServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('simulation'),
  ) {}

  start(call: ApiCall, body: NewSimulationBody): ApiAnswer {
    return this.call(call, (c) => c.startSimulation.bind(c), {
      userId: call.userId,
      projectId: body.project_id,
      configuration: { ...body.configuration },
      components: [...(body.components ?? [])],
      durationSeconds: body.duration_seconds ?? 0,
      enableRealTime: body.enable_real_time ?? true,
    });
  }

  status(call: ApiCall, simulationId: string): ApiAnswer {
    return this.call(call, (c) => c.getSimulationStatus.bind(c), { simulationId, userId: call.userId });
  }

  stop(call: ApiCall, simulationId: string, reason: string): ApiAnswer {
    return this.call(call, (c) => c.stopSimulation.bind(c), { simulationId, userId: call.userId, reason });
  }

  results(call: ApiCall, simulationId: string, query: ResultsQuery): ApiAnswer {
    return this.call(call, (c) => c.getSimulationResults.bind(c), {
      simulationId,
      userId: call.userId,
      includeSamples: query.include_samples ?? false,
      maxSamples: query.max_samples ?? 0,
    });
  }

  metrics(call: ApiCall, simulationId: string, query: MetricsQuery): ApiAnswer {
    return this.call(call, (c) => c.getLiveMetrics.bind(c), {
      simulationId,
      userId: call.userId,
      since: query.since ?? 0,
      maxSamples: query.max_samples ?? 0,
    });
  }

  analysis(call: ApiCall, simulationId: string): ApiAnswer {
    return this.call(call, (c) => c.getPerformanceAnalysis.bind(c), { simulationId, userId: call.userId });
  }

  validate(call: ApiCall, body: ValidationBody): ApiAnswer {
    return this.call(call, (c) => c.validateConfiguration.bind(c), {
      userId: call.userId,
      projectId: body.project_id ?? '',
      configuration: { ...body.configuration },
      components: [...(body.components ?? [])],
      durationSeconds: body.duration_seconds ?? 0,
    });
  }

  history(call: ApiCall, projectId: string, query: HistoryQuery): ApiAnswer {
    return this.call(call, (c) => c.getSimulationHistory.bind(c), {
      userId: call.userId,
      projectId,
      status: query.status ?? '',
      pageSize: query.page_size ?? 0,
      pageToken: query.page_token ?? '',
    });
  }

  private async call<Req, Res extends object>(
    call: ApiCall,
    pick: (client: SimulationServiceClient) => UnaryMethod<Req, Res>,
    request: Req,
  ): ApiAnswer {
    return jsonAnswer(await downstreamCall('simulation', this.simulations, pick, request, this.timeoutMs, { requestId: call.requestId }));
  }
}
