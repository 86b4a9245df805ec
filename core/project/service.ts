import { expireCollaborators, joinCollaboration, leaveCollaboration, type CollaborationInput } from './collaboration.js';
import { editProject, type EditProjectInput } from './edit-project.js';
import { createProject, type CreateProjectInput } from './create-project.js';
import { deleteProject, type DeleteProjectInput } from './delete-project.js';
import type { ProjectDeps } from './deps.js';
import { getProjectPermissions, type GetProjectPermissionsInput } from './get-project-permissions.js';
import { getProject, type GetProjectInput } from './get-project.js';
import { listProjects, type ListProjectsInput } from './list-projects.js';
import { shareProject, type ShareProjectInput } from './share-project.js';
import { getTemplate, listTemplates, type ListTemplatesInput } from './template-queries.js';
import { updateProject, type UpdateProjectInput } from './update-project.js';

/** The project use cases bound to their dependencies, one method per RPC of the Project Service. */
export const createProjectService = (deps: ProjectDeps) => ({
  createProject: (input: CreateProjectInput) => createProject(deps, input),
  getProject: (input: GetProjectInput) => getProject(deps, input),
  updateProject: (input: UpdateProjectInput) => updateProject(deps, input),
  deleteProject: (input: DeleteProjectInput) => deleteProject(deps, input),
  listProjects: (input: ListProjectsInput) => listProjects(deps, input),
  shareProject: (input: ShareProjectInput) => shareProject(deps, input),
  getProjectPermissions: (input: GetProjectPermissionsInput) => getProjectPermissions(deps, input),
  getTemplate: async (templateId: string) => getTemplate(templateId),
  listTemplates: async (input: ListTemplatesInput = {}) => listTemplates(input),
  joinCollaboration: (input: CollaborationInput) => joinCollaboration(deps, input),
  leaveCollaboration: (input: CollaborationInput) => leaveCollaboration(deps, input),
  editProject: (input: EditProjectInput) => editProject(deps, input),
  expireCollaborators: (limit?: number) => expireCollaborators(deps, limit),
});

export type ProjectService = ReturnType<typeof createProjectService>;
