import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { Metadata } from '@grpc/grpc-js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import {
  GetLiveMetricsRequest,
  GetPerformanceAnalysisRequest,
  GetSimulationHistoryRequest,
  GetSimulationResultsRequest,
  GetSimulationStatusRequest,
  HealthCheckRequest,
  StartSimulationRequest,
  StopSimulationRequest,
  ValidateConfigurationRequest,
  type GetLiveMetricsResponse,
  type GetPerformanceAnalysisResponse,
  type GetSimulationHistoryResponse,
  type GetSimulationResultsResponse,
  type GetSimulationStatusResponse,
  type HealthCheckResponse,
  type SimulationServiceClient,
  type StartSimulationResponse,
  type StopSimulationResponse,
  type ValidateConfigurationResponse,
} from '../generated/simulation.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import type { RequestOf, ResponseOf, UnaryMethodName } from '../mesh/unary-method-types.js';

/** What a caller may add to one call: its own deadline (propagated), cancellation, metadata. */
export interface SimulationCallOptions {
  readonly deadline?: Date;
  readonly signal?: AbortSignal;
  readonly metadata?: Metadata;
}

export interface GrpcSimulationClientOptions {
  /** `host:port` of the simulation service, for failure messages. */
  readonly target: string;
  /** Per call; default 5 s (the specification's simulation target with room for a loaded machine, docs/specification.md#numbers). */
  readonly timeoutMs?: number;
}

type Request<T> = Partial<T>;

/**
 * The simulation service's rpcs as Results (`MeshClient.call`; a service that cannot answer throws). Requests
 * are partial: omitted fields take their proto zero values, which the server reads as "not given".
 */
export class GrpcSimulationClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly calls: ServiceCalls<SimulationServiceClient>,
    private readonly options: GrpcSimulationClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? defaultCallTimeoutMs('simulation');
  }

  /** Results of a simulation (final or so far); `includeSamples` adds the samples, newest `maxSamples` kept. */
  getSimulationResults(
    request: Request<GetSimulationResultsRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<GetSimulationResultsResponse, DomainFailure>> {
    return this.call('getSimulationResults', GetSimulationResultsRequest.fromPartial(request), options);
  }

  /** One page of a user's simulations, or of one project's (`projectId`), newest first. */
  getSimulationHistory(
    request: Request<GetSimulationHistoryRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<GetSimulationHistoryResponse, DomainFailure>> {
    return this.call('getSimulationHistory', GetSimulationHistoryRequest.fromPartial(request), options);
  }

  startSimulation(
    request: Request<StartSimulationRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<StartSimulationResponse, DomainFailure>> {
    return this.call('startSimulation', StartSimulationRequest.fromPartial(request), options);
  }

  stopSimulation(
    request: Request<StopSimulationRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<StopSimulationResponse, DomainFailure>> {
    return this.call('stopSimulation', StopSimulationRequest.fromPartial(request), options);
  }

  getSimulationStatus(
    request: Request<GetSimulationStatusRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<GetSimulationStatusResponse, DomainFailure>> {
    return this.call('getSimulationStatus', GetSimulationStatusRequest.fromPartial(request), options);
  }

  getLiveMetrics(
    request: Request<GetLiveMetricsRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<GetLiveMetricsResponse, DomainFailure>> {
    return this.call('getLiveMetrics', GetLiveMetricsRequest.fromPartial(request), options);
  }

  getPerformanceAnalysis(
    request: Request<GetPerformanceAnalysisRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<GetPerformanceAnalysisResponse, DomainFailure>> {
    return this.call('getPerformanceAnalysis', GetPerformanceAnalysisRequest.fromPartial(request), options);
  }

  validateConfiguration(
    request: Request<ValidateConfigurationRequest>,
    options?: SimulationCallOptions,
  ): Promise<Result<ValidateConfigurationResponse, DomainFailure>> {
    return this.call('validateConfiguration', ValidateConfigurationRequest.fromPartial(request), options);
  }

  healthCheck(
    request: Request<HealthCheckRequest> = {},
    options?: SimulationCallOptions,
  ): Promise<Result<HealthCheckResponse, DomainFailure>> {
    return this.call('healthCheck', HealthCheckRequest.fromPartial(request), options);
  }

  private call<K extends UnaryMethodName<SimulationServiceClient>>(
    method: K,
    request: RequestOf<SimulationServiceClient, K>,
    options: SimulationCallOptions = {},
  ): Promise<Result<ResponseOf<SimulationServiceClient, K>, DomainFailure>> {
    return this.calls.call(method, request, { timeoutMs: this.timeoutMs, ...options });
  }
}
