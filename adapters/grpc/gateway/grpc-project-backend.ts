import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type {
  ApiCall,
  ApiAnswer,
  NewProjectBody,
  ProjectBackend,
  ProjectListQuery,
  ProjectPatchBody,
  ShareBody,
  TemplateListQuery,
} from '../../http/gateway/client-api-ports.js';
import type { ProjectServiceClient } from '../generated/project.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import type { RequestOf, ResponseOf, UnaryMethodName } from '../mesh/unary-method-types.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import { jsonAnswer } from '../../http/client-api/client-json.js';
import { downstreamCall } from './downstream-call.js';

/** The client API's project routes, as calls to `project.ProjectService` (JSON ↔ proto here, nowhere else). */
export class GrpcProjectBackend implements ProjectBackend {
  constructor(
    private readonly projects: ServiceCalls<ProjectServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('project'),
  ) {}

  list(call: ApiCall, query: ProjectListQuery): ApiAnswer {
    return this.call(call, 'listProjects', {
      userId: call.userId,
      pageSize: query.page_size ?? 0,
      pageToken: query.page_token ?? '',
      includeShared: query.include_shared ?? true,
      includePublic: query.include_public ?? false,
      status: query.status ?? '',
    });
  }

  create(call: ApiCall, body: NewProjectBody): ApiAnswer {
    return this.call(call, 'createProject', {
      userId: call.userId,
      name: body.name,
      description: body.description ?? '',
      templateId: body.template_id ?? '',
      configuration: { ...body.configuration },
      isPublic: body.is_public ?? false,
    });
  }

  get(call: ApiCall, projectId: string, includeConfiguration = true): ApiAnswer {
    return this.call(call, 'getProject', { projectId, userId: call.userId, includeConfiguration });
  }

  update(call: ApiCall, projectId: string, body: ProjectPatchBody): ApiAnswer {
    return this.call(call, 'updateProject', {
      projectId,
      userId: call.userId,
      name: body.name,
      description: body.description,
      isPublic: body.is_public,
      status: body.status,
      configuration: { ...body.configuration },
      removedConfigurationKeys: [...(body.removed_configuration_keys ?? [])],
      expectedUpdatedAt: body.expected_updated_at ?? 0,
    });
  }

  remove(call: ApiCall, projectId: string): ApiAnswer {
    return this.call(call, 'deleteProject', { projectId, userId: call.userId });
  }

  share(call: ApiCall, projectId: string, body: ShareBody): ApiAnswer {
    return this.call(call, 'shareProject', {
      projectId,
      userId: call.userId,
      targetUserId: body.target_user_id,
      targetEmail: body.target_user_id === undefined ? body.target_email : undefined,
      role: body.role,
    });
  }

  permissions(call: ApiCall, projectId: string): ApiAnswer {
    return this.call(call, 'getProjectPermissions', { projectId, userId: call.userId, callingService: 'api-gateway' });
  }

  joinCollaboration(call: ApiCall, projectId: string, clientId: string): ApiAnswer {
    return this.call(call, 'joinCollaboration', { projectId, userId: call.userId, clientId });
  }

  leaveCollaboration(call: ApiCall, projectId: string, collaborationSessionId: string): ApiAnswer {
    return this.call(call, 'leaveCollaboration', { projectId, userId: call.userId, collaborationSessionId, clientId: '' });
  }

  templates(call: ApiCall, query: TemplateListQuery): ApiAnswer {
    return this.call(call, 'listTemplates', {
      userId: call.userId,
      category: query.category ?? '',
      pageSize: query.page_size ?? 0,
      pageToken: query.page_token ?? '',
    });
  }

  template(call: ApiCall, templateId: string): ApiAnswer {
    return this.call(call, 'getTemplate', { templateId, userId: call.userId });
  }

  private async call<K extends UnaryMethodName<ProjectServiceClient>>(
    call: ApiCall,
    method: K,
    request: RequestOf<ProjectServiceClient, K>,
  ): ApiAnswer {
    const answer = await downstreamCall(this.projects, method, request, this.timeoutMs, {
      requestId: call.requestId,
      ...(call.idempotencyKey !== undefined && { idempotencyKey: call.idempotencyKey }),
    });
    return jsonAnswer(answer as Result<ResponseOf<ProjectServiceClient, K> & object, DomainFailure>);
  }
}
