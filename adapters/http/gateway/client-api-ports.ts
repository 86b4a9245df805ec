import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import type { NewProjectBody, ProjectListQuery, ProjectPatchBody, ShareBody, TemplateListQuery } from '../client-api/project-api.js';
import type { HistoryQuery, MetricsQuery, NewSimulationBody, ResultsQuery, ValidationBody } from '../client-api/simulation-api.js';
import type { AdminPageQuery, AnnouncementBody, AssignRolesBody } from '../client-api/admin-api.js';

export type { NewProjectBody, ProjectListQuery, ProjectPatchBody, ShareBody, TemplateListQuery };
export type { HistoryQuery, MetricsQuery, NewSimulationBody, ResultsQuery, ValidationBody };
export type { AdminPageQuery, AnnouncementBody, AssignRolesBody };

/**
 * What the gateway's client routes need from the services behind it, in the clients' own JSON
 * (snake_case, epoch-ms times), as ../client-api/ shapes them. The gRPC adapters implement these; generated types stop there.
 */

/** Who asks, and the request id that follows the call downstream. */
export interface ApiCall {
  readonly userId: string;
  readonly requestId: string;
  /**
   * A write's idempotency key, scoped to the caller (docs/adr/0058): sent with the write so the
   * service answers a repeat with the first outcome, and the mesh may retry it on another instance.
   */
  readonly idempotencyKey?: string;
}

export type JsonObject = Record<string, unknown>;
export type ApiAnswer = Promise<Result<JsonObject, DomainFailure>>;

export interface ProjectBackend {
  list(call: ApiCall, query: ProjectListQuery): ApiAnswer;
  create(call: ApiCall, body: NewProjectBody): ApiAnswer;
  /** The project with its configuration; `not_found`/`forbidden` when the caller may not read it. */
  get(call: ApiCall, projectId: string, includeConfiguration?: boolean): ApiAnswer;
  update(call: ApiCall, projectId: string, body: ProjectPatchBody): ApiAnswer;
  remove(call: ApiCall, projectId: string): ApiAnswer;
  share(call: ApiCall, projectId: string, body: ShareBody): ApiAnswer;
  permissions(call: ApiCall, projectId: string): ApiAnswer;
  joinCollaboration(call: ApiCall, projectId: string, clientId: string): ApiAnswer;
  leaveCollaboration(call: ApiCall, projectId: string, collaborationSessionId: string): ApiAnswer;
  templates(call: ApiCall, query: TemplateListQuery): ApiAnswer;
  template(call: ApiCall, templateId: string): ApiAnswer;
}

/** Administration (docs/adr/0054): `call.userId` is the acting administrator; auth decides whether they are one. */
export interface AdminBackend {
  listUsers(call: ApiCall, query: AdminPageQuery): ApiAnswer;
  assignRoles(call: ApiCall, userId: string, body: AssignRolesBody): ApiAnswer;
  setUserActive(call: ApiCall, userId: string, active: boolean): ApiAnswer;
  publishAnnouncement(call: ApiCall, body: AnnouncementBody): ApiAnswer;
  auditLog(call: ApiCall, query: AdminPageQuery): ApiAnswer;
  /** For any signed-in user. */
  announcements(call: ApiCall): ApiAnswer;
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
