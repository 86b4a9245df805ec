import { defaultCallTimeoutMs } from '../../../core/resilience/deadline.js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import { jsonAnswer } from '../../http/client-api/client-json.js';
import type {
  AdminBackend,
  AdminPageQuery,
  AnnouncementBody,
  ApiAnswer,
  ApiCall,
  AssignRolesBody,
} from '../../http/gateway/client-api-ports.js';
import type { AuthServiceClient } from '../generated/auth.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import type { RequestOf, ResponseOf, UnaryMethodName } from '../mesh/unary-method-types.js';
import { downstreamCall } from './downstream-call.js';

const CALLING_SERVICE = 'api-gateway';

/** The client API's administration routes, as calls to `auth.AuthService` (JSON ↔ proto here, nowhere else). */
export class GrpcAdminBackend implements AdminBackend {
  constructor(
    private readonly auth: ServiceCalls<AuthServiceClient>,
    private readonly timeoutMs: number = defaultCallTimeoutMs('auth'),
  ) {}

  listUsers(call: ApiCall, query: AdminPageQuery): ApiAnswer {
    return this.call(call, 'listUsers', {
      actorId: call.userId,
      pageSize: query.page_size ?? 0,
      pageToken: query.page_token ?? '',
      callingService: CALLING_SERVICE,
    });
  }

  assignRoles(call: ApiCall, userId: string, body: AssignRolesBody): ApiAnswer {
    return this.call(call, 'assignRoles', { actorId: call.userId, userId, roles: [...body.roles], callingService: CALLING_SERVICE });
  }

  setUserActive(call: ApiCall, userId: string, active: boolean): ApiAnswer {
    return this.call(call, 'setUserActive', { actorId: call.userId, userId, active, callingService: CALLING_SERVICE });
  }

  publishAnnouncement(call: ApiCall, body: AnnouncementBody): ApiAnswer {
    return this.call(call, 'publishAnnouncement', {
      actorId: call.userId,
      kind: body.kind,
      message: body.message,
      startsAt: body.starts_at ?? 0,
      endsAt: body.ends_at ?? 0,
      callingService: CALLING_SERVICE,
    });
  }

  auditLog(call: ApiCall, query: AdminPageQuery): ApiAnswer {
    return this.call(call, 'listAuditLog', {
      actorId: call.userId,
      pageSize: query.page_size ?? 0,
      pageToken: query.page_token ?? '',
      callingService: CALLING_SERVICE,
    });
  }

  announcements(call: ApiCall): ApiAnswer {
    return this.call(call, 'listAnnouncements', { callingService: CALLING_SERVICE });
  }

  private async call<K extends UnaryMethodName<AuthServiceClient>>(
    call: ApiCall,
    method: K,
    request: RequestOf<AuthServiceClient, K>,
  ): ApiAnswer {
    const answer = await downstreamCall(this.auth, method, request, this.timeoutMs, {
      requestId: call.requestId,
      ...(call.idempotencyKey !== undefined && { idempotencyKey: call.idempotencyKey }),
    });
    return jsonAnswer(answer as Result<ResponseOf<AuthServiceClient, K> & object, DomainFailure>);
  }
}
