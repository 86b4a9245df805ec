import type { CollaborationEdit, EditAnswer, JoinedCollaboration, ProjectCollaboration } from '../../../core/gateway/index.js';
import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';
import type { CollaborationDocument, ProjectServiceClient } from '../generated/project.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import { downstreamCall } from './downstream-call.js';

/** The project service's collaboration rpcs (JoinCollaboration, LeaveCollaboration, EditProject) for the gateway's sockets. */
export class GrpcProjectCollaboration implements ProjectCollaboration {
  constructor(
    private readonly projects: ServiceCalls<ProjectServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('project'),
  ) {}

  async join(projectId: string, userId: string, clientId: string): Promise<Result<JoinedCollaboration, DomainFailure>> {
    const answer = await downstreamCall(this.projects, 'joinCollaboration', { projectId, userId, clientId }, this.timeoutMs);
    if (!answer.ok) return answer;
    const joined = answer.value;
    return ok({
      role: joined.role,
      streamKey: joined.streamKey,
      clients: joined.clients.map((client) => ({ clientId: client.clientId, userId: client.userId, role: client.role })),
      document: documentOf(joined.document),
      presenceTtlMs: joined.presenceTtlMs,
    });
  }

  async leave(projectId: string, userId: string, clientId: string): Promise<void> {
    await downstreamCall(this.projects, 'leaveCollaboration', { projectId, userId, clientId, collaborationSessionId: '' }, this.timeoutMs);
  }

  async edit(edit: CollaborationEdit): Promise<Result<EditAnswer, DomainFailure>> {
    const answer = await downstreamCall(
      this.projects,
      'editProject',
      {
        projectId: edit.projectId,
        userId: edit.userId,
        clientId: edit.clientId,
        opId: edit.opId,
        baseVersion: edit.baseVersion,
        patch: edit.patch.map((operation) => ({ op: operation.op, path: operation.path, value: operation.value })),
      },
      this.timeoutMs,
    );
    if (!answer.ok) return answer;
    const response = answer.value;
    if (response.outcome === 'conflict') {
      return ok({
        outcome: 'conflict',
        version: response.version,
        path: response.path,
        currentValue: response.currentValue,
        changedIn: response.changedIn,
        changedBy: response.changedBy,
        document: documentOf(response.document),
      });
    }
    if (response.outcome === 'unchanged') return ok({ outcome: 'unchanged', version: response.version });
    return ok({ outcome: 'applied', version: response.version, rebased: response.rebased });
  }
}

const documentOf = (document: CollaborationDocument | undefined) => ({
  name: document?.name ?? '',
  description: document?.description ?? '',
  configuration: { ...document?.configuration },
  version: document?.version ?? 0,
});
