import type { ExportRecord } from '../../../core/exports/model.js';
import type {
  CollaborationSession,
  ProjectPermissionsView,
  ProjectTemplate,
  ProjectView,
} from '../../../core/project/index.js';

/** Projects, templates and exports as clients see them: snake_case, epoch-ms times. */

/** A project as one caller may see it (`toProjectView`): configuration only when included, shares only for members. */
export const projectJson = (view: ProjectView) => ({
  id: view.id,
  name: view.name,
  description: view.description,
  owner_id: view.ownerId,
  template_id: view.templateId,
  status: view.status,
  is_public: view.isPublic,
  ...(view.configuration ? { configuration: view.configuration } : {}),
  shares: view.shares.map((share) => ({ user_id: share.userId, role: share.role, shared_at: share.sharedAt })),
  collaborators: view.collaborators,
  access: view.access,
  version: view.version,
  created_at: view.createdAt,
  updated_at: view.updatedAt,
});

export const templateJson = (template: ProjectTemplate) => ({
  id: template.id,
  name: template.name,
  description: template.description,
  category: template.category,
  configuration: template.configuration,
  components: template.components,
  created_at: template.createdAt,
  updated_at: template.updatedAt,
});

export const permissionsJson = (view: ProjectPermissionsView) => ({
  project_id: view.projectId,
  owner_id: view.ownerId,
  members: view.members.map((member) => ({
    user_id: member.userId,
    role: member.role,
    granted_at: member.grantedAt,
    actions: member.actions,
  })),
  caller: { user_id: view.caller.userId, access: view.caller.access, actions: view.caller.actions },
});

export const collaborationJson = (session: CollaborationSession & { readonly access?: string }) => ({
  project_id: session.projectId,
  stream_key: session.streamKey,
  collaborators: session.collaborators,
  changed: session.changed,
  at: session.at,
  ...(session.access ? { access: session.access } : {}),
});

/** An export's state; `download_url` once ready, `error` once failed. The file itself is GET /exports/:id. */
export const exportJson = (record: ExportRecord) => ({
  id: record.id,
  kind: record.kind,
  format: record.format,
  ...(record.kind === 'project_report' ? { project_id: record.subjectId } : { simulation_id: record.subjectId }),
  status: record.status,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
  expires_at: record.expiresAt,
  ...(record.status === 'ready' ? { download_url: `/exports/${encodeURIComponent(record.id)}` } : {}),
  ...(record.failure ? { error: record.failure } : {}),
});
