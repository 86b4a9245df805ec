import {
  accessOf,
  type JoinedSession,
  type Project,
  type ProjectAccess,
  type ProjectMember,
  type ProjectPermissionsView,
  type ProjectTemplate as DomainTemplate,
  type ProjectView,
} from '../../../core/project/index.js';
import type {
  GetProjectPermissionsResponse,
  GetProjectResponse,
  JoinCollaborationResponse,
  ProjectPermission,
  ProjectSummary,
  ProjectTemplate,
} from '../generated/project.js';

/** domain → proto for `project.ProjectService`. Times are epoch ms as in the domain. */

/**
 * The caller's role as ProjectSummary.role states it ("owner", "editor" or "viewer"): a reader of a
 * public project may do what a viewer may, so it is listed as one; no access at all is ''.
 */
export const roleOf = (access: ProjectAccess): string => (access === 'public' ? 'viewer' : access === 'none' ? '' : access);

export const projectSummary = (project: Project, userId: string): ProjectSummary => ({
  projectId: project.id,
  name: project.name,
  description: project.description,
  ownerId: project.ownerId,
  status: project.status,
  isPublic: project.isPublic,
  createdAt: project.createdAt,
  updatedAt: project.updatedAt,
  role: roleOf(accessOf(project, userId)),
});

/** `collaborators` are the users in the collaboration session now (the domain's meaning). */
export const getProjectResponse = (view: ProjectView): GetProjectResponse => ({
  projectId: view.id,
  name: view.name,
  description: view.description,
  ownerId: view.ownerId,
  configuration: { ...view.configuration },
  collaborators: [...view.collaborators],
  createdAt: view.createdAt,
  updatedAt: view.updatedAt,
  status: view.status,
  access: view.access,
});

/** Project actions as permission names: `project:read`, `project:update`, ... */
const permissionsOf = (member: Pick<ProjectMember, 'actions'>): string[] => member.actions.map((action) => `project:${action}`);

export const projectPermission = (member: ProjectMember, ownerId: string, email: string): ProjectPermission => ({
  userId: member.userId,
  email,
  role: member.role,
  permissions: permissionsOf(member),
  grantedAt: member.grantedAt,
  // Only the owner shares, so every share was granted by the owner; the owner's own access by nobody.
  grantedBy: member.role === 'owner' ? '' : ownerId,
});

export const permissionsResponse = (
  view: ProjectPermissionsView,
  emails: ReadonlyMap<string, string>,
): GetProjectPermissionsResponse => ({
  projectId: view.projectId,
  ownerId: view.ownerId,
  permissions: view.members.map((member) => projectPermission(member, view.ownerId, emails.get(member.userId) ?? '')),
});

export const projectTemplate = (template: DomainTemplate): ProjectTemplate => ({
  templateId: template.id,
  name: template.name,
  description: template.description,
  category: template.category,
  configuration: { ...template.configuration },
  components: [...template.components],
  createdAt: template.createdAt,
  updatedAt: template.updatedAt,
});

/** The session id is the stream key: one session per project, so the key names it. Joining twice is joining. */
export const joinResponse = (session: JoinedSession): JoinCollaborationResponse => ({
  joined: true,
  collaborationSessionId: session.streamKey,
  streamKey: session.streamKey,
  role: roleOf(session.access),
  activeCollaborators: [...session.collaborators],
  joinedAt: session.at,
  reason: '',
});
