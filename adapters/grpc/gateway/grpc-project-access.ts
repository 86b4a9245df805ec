import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { ProjectAccess } from '../../../core/gateway/index.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import type { ProjectServiceClient } from '../generated/project.js';
import type { GrpcClientSource } from '../grpc-client-source.js';
import { downstreamCall } from './downstream-call.js';

/** Who may read a project, as the project service's GetProject answers for the user. */
export class GrpcProjectAccess implements ProjectAccess {
  constructor(
    private readonly projects: GrpcClientSource<ProjectServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('project'),
  ) {}

  async canRead(projectId: string, userId: string): Promise<Result<boolean, DomainFailure>> {
    const answer = await downstreamCall(
      'project',
      this.projects,
      (client) => client.getProject.bind(client),
      { projectId, userId, includeConfiguration: false },
      this.timeoutMs,
    );
    if (answer.ok) return ok(true);
    return answer.error.kind === 'unavailable' ? answer : ok(false);
  }
}
