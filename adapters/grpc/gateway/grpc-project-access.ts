import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { ProjectAccess } from '../../../core/gateway/index.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import type { ProjectServiceClient } from '../generated/project.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import { downstreamCall } from './downstream-call.js';

/** Who may read a project, as the project service's GetProject answers for the user. */
export class GrpcProjectAccess implements ProjectAccess {
  constructor(
    private readonly projects: ServiceCalls<ProjectServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('project'),
  ) {}

  async canRead(projectId: string, userId: string): Promise<Result<boolean, DomainFailure>> {
    const answer = await downstreamCall(this.projects, 'getProject', { projectId, userId, includeConfiguration: false }, this.timeoutMs);
    return ok(answer.ok);
  }
}
