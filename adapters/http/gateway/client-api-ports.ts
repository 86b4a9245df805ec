import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';

/**
 * What the gateway's client routes need from the services behind it, in the clients' own JSON
 * (snake_case, epoch-ms times). The gRPC adapters implement these; generated types stop there.
 */

/** Who asks, and the request id that follows the call downstream. */
export interface ApiCall {
  readonly userId: string;
  readonly requestId: string;
}

export type JsonObject = Record<string, unknown>;
export type ApiAnswer = Promise<Result<JsonObject, DomainFailure>>;

export type StringMap = Record<string, string>;

export interface NewProjectBody {
  readonly name: string;
  readonly description?: string;
  readonly template_id?: string;
  readonly configuration?: StringMap;
  readonly is_public?: boolean;
}

export interface ProjectPatchBody {
  readonly name?: string;
  readonly description?: string;
  readonly is_public?: boolean;
  readonly status?: string;
  readonly configuration?: StringMap;
  readonly removed_configuration_keys?: readonly string[];
  readonly expected_updated_at?: number;
}

export interface ShareBody {
  readonly target_user_id?: string;
  readonly target_email?: string;
  readonly role: string;
}

export interface PageQuery {
  readonly page_size?: number;
  readonly page_token?: string;
}

export interface ProjectListQuery extends PageQuery {
  readonly include_shared?: boolean;
  readonly include_public?: boolean;
  readonly status?: string;
}

export interface TemplateListQuery extends PageQuery {
  readonly category?: string;
}

export interface ProjectBackend {
  list(call: ApiCall, query: ProjectListQuery): ApiAnswer;
  create(call: ApiCall, body: NewProjectBody): ApiAnswer;
  /** The project with its configuration; `not_found`/`forbidden` when the caller may not read it. */
  get(call: ApiCall, projectId: string): ApiAnswer;
  update(call: ApiCall, projectId: string, body: ProjectPatchBody): ApiAnswer;
  remove(call: ApiCall, projectId: string): ApiAnswer;
  share(call: ApiCall, projectId: string, body: ShareBody): ApiAnswer;
  permissions(call: ApiCall, projectId: string): ApiAnswer;
  joinCollaboration(call: ApiCall, projectId: string, clientId: string): ApiAnswer;
  leaveCollaboration(call: ApiCall, projectId: string, collaborationSessionId: string): ApiAnswer;
  templates(call: ApiCall, query: TemplateListQuery): ApiAnswer;
  template(call: ApiCall, templateId: string): ApiAnswer;
}

export interface RunShape {
  readonly configuration?: StringMap;
  readonly components?: readonly string[];
  readonly duration_seconds?: number;
}

export interface NewSimulationBody extends RunShape {
  readonly project_id: string;
  /** Default true: the client API starts runs it can watch. */
  readonly enable_real_time?: boolean;
}

export interface ValidationBody extends RunShape {
  readonly project_id?: string;
}

export interface ResultsQuery {
  readonly include_samples?: boolean;
  readonly max_samples?: number;
}

export interface MetricsQuery {
  readonly since?: number;
  readonly max_samples?: number;
}

export interface HistoryQuery extends PageQuery {
  readonly status?: string;
}

export interface SimulationBackend {
  start(call: ApiCall, body: NewSimulationBody): ApiAnswer;
  status(call: ApiCall, simulationId: string): ApiAnswer;
  stop(call: ApiCall, simulationId: string, reason: string): ApiAnswer;
  results(call: ApiCall, simulationId: string, query: ResultsQuery): ApiAnswer;
  metrics(call: ApiCall, simulationId: string, query: MetricsQuery): ApiAnswer;
  analysis(call: ApiCall, simulationId: string): ApiAnswer;
  validate(call: ApiCall, body: ValidationBody): ApiAnswer;
  /** The caller's simulations, of one project when `projectId` is not empty. */
  history(call: ApiCall, projectId: string, query: HistoryQuery): ApiAnswer;
}
