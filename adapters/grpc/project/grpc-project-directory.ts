import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { ProjectAccess, ProjectDirectory, ProjectView } from '../../../core/simulation/ports.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import type { ProjectServiceClient } from '../generated/project.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';

export interface GrpcProjectDirectoryOptions {
  /** Per call. Default 3 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The simulation domain's ProjectDirectory over the Project Service's GetProject (with the
 * configuration). NOT_FOUND stays `not_found` (the project service also answers it for a project
 * the user may not read), PERMISSION_DENIED `forbidden`; a project service that is down or slow
 * past the deadline throws `DependencyUnavailableError` (docs/adr/0027).
 */
const ACCESSES: readonly string[] = ['owner', 'editor', 'viewer', 'public'] satisfies ProjectAccess[];

/** An access this client does not know (a newer or older project service) is the least: a public reader's. */
const accessOf = (access: string): ProjectAccess => (ACCESSES.includes(access) ? (access as ProjectAccess) : 'public');

export class GrpcProjectDirectory implements ProjectDirectory {
  private readonly timeoutMs: number;

  constructor(
    private readonly calls: ServiceCalls<ProjectServiceClient>,
    options: GrpcProjectDirectoryOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? defaultCallTimeoutMs('project');
  }

  async getProject(projectId: string, userId: string): Promise<Result<ProjectView, DomainFailure>> {
    const answer = await this.calls.call('getProject', { projectId, userId, includeConfiguration: true }, { timeoutMs: this.timeoutMs });
    if (!answer.ok) return answer;
    const project = answer.value;
    return ok({
      id: project.projectId,
      ownerId: project.ownerId,
      access: accessOf(project.access),
      configuration: { ...project.configuration },
    });
  }
}
