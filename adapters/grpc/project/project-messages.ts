import {
  accessOf,
  type CollaborationSession,
  type DeletedProject,
  type JoinedSession,
  type ProjectListPage,
  type ProjectShareOutcome,
  type TemplatePage,
  type Project,
  type ProjectAccess,
  type ProjectMember,
  type ProjectPermissionsView,
  type ProjectTemplate as DomainTemplate,
  type ProjectView,
  type EditOutcome,
  type PatchOperation as DomainPatchOperation,
  type ProjectDocument,
} from '../../../core/project/index.js';
import type {
  CollaborationDocument,
  EditProjectResponse,
  PatchOperation,
  CreateProjectResponse,
  DeleteProjectResponse,
  GetProjectPermissionsResponse,
  GetProjectResponse,
  GetTemplateResponse,
  JoinCollaborationResponse,
  LeaveCollaborationResponse,
  ListProjectsResponse,
  ListTemplatesResponse,
  ProjectPermission,
  ProjectSummary,
  ProjectTemplate,
  ShareProjectResponse,
  UpdateProjectResponse,
} from '../generated/project.js';

/**
 * domain → proto for `project.ProjectService`. Times are epoch ms as in the domain. The client API
 * renders these same messages on every port (adapters/http/client-api/project-json.ts, docs/adr/0043).
 */

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

export const permissionsResponse = (view: ProjectPermissionsView, emails: ReadonlyMap<string, string>): GetProjectPermissionsResponse => ({
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
  clientId: session.clientId,
  presenceTtlMs: session.presenceTtlMs,
  clients: session.clients.map((client) => ({ clientId: client.clientId, userId: client.userId, role: client.role })),
  document: collaborationDocument(session.document, session.version),
});

export const collaborationDocument = (document: ProjectDocument, version: number): CollaborationDocument => ({
  name: document.name,
  description: document.description,
  configuration: { ...document.configuration },
  version,
});

export const patchOperations = (ops: readonly DomainPatchOperation[]): PatchOperation[] =>
  ops.map((operation) => (operation.op === 'remove' ? { op: operation.op, path: operation.path } : { ...operation }));

export const editProjectResponse = (outcome: EditOutcome): EditProjectResponse => {
  const empty = { rebased: false, applied: [], path: '', changedIn: 0, changedBy: '', document: undefined };
  switch (outcome.kind) {
    case 'applied':
      return { ...empty, outcome: 'applied', version: outcome.version, rebased: outcome.rebased, applied: patchOperations(outcome.ops) };
    case 'unchanged':
      return { ...empty, outcome: 'unchanged', version: outcome.version };
    case 'conflict':
      return {
        ...empty,
        outcome: 'conflict',
        version: outcome.version,
        path: outcome.path,
        ...(outcome.currentValue === undefined ? {} : { currentValue: outcome.currentValue }),
        changedIn: outcome.changedIn,
        changedBy: outcome.changedBy,
        document: collaborationDocument(outcome.document, outcome.version),
      };
  }
};

export const createProjectResponse = (project: Project): CreateProjectResponse => ({
  projectId: project.id,
  name: project.name,
  status: project.status,
  createdAt: project.createdAt,
  templateUsed: project.templateId ?? '',
});

export const updateProjectResponse = (project: Project, userId: string): UpdateProjectResponse => ({
  project: projectSummary(project, userId),
});

export const deleteProjectResponse = (deleted: DeletedProject): DeleteProjectResponse => ({
  deleted: true,
  projectId: deleted.projectId,
  deletedAt: deleted.deletedAt,
});

export const listProjectsResponse = (page: ProjectListPage, userId: string): ListProjectsResponse => ({
  projects: page.projects.map((project) => projectSummary(project, userId)),
  nextPageToken: page.nextPageToken ?? '',
  totalCount: page.totalCount,
});

export const shareProjectResponse = (outcome: ProjectShareOutcome): ShareProjectResponse => ({
  shared: outcome.changed,
  projectId: outcome.projectId,
  targetUserId: outcome.targetUserId,
  role: outcome.role,
  reason: outcome.changed ? '' : `the user already has the ${outcome.role} role`,
});

export const getTemplateResponse = (template: DomainTemplate): GetTemplateResponse => ({ template: projectTemplate(template) });

export const listTemplatesResponse = (page: TemplatePage): ListTemplatesResponse => ({
  templates: page.templates.map(projectTemplate),
  nextPageToken: page.nextPageToken ?? '',
  totalCount: page.totalCount,
});

export const leaveResponse = (session: CollaborationSession): LeaveCollaborationResponse => ({
  left: session.changed,
  remainingCollaborators: session.collaborators.length,
});

/** A user's email by id, or undefined when it cannot be told (unknown user, auth down). */
export type EmailLookup = (userId: string) => Promise<string | undefined>;

/** Emails of the members, looked up in parallel; one that cannot be found stays out of the map. */
export const lookUpEmails = async (userIds: readonly string[], emailOf?: EmailLookup): Promise<ReadonlyMap<string, string>> => {
  if (!emailOf) return new Map();
  const found = await Promise.all(userIds.map(async (userId) => [userId, await emailOf(userId).catch(() => undefined)] as const));
  return new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
};
