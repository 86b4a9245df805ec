import type {
  CollaborationSession,
  DeletedProject,
  JoinedSession,
  Project,
  ProjectListPage,
  ProjectPermissionsView,
  ProjectShareOutcome,
  ProjectTemplate,
  ProjectView,
  TemplatePage,
} from '../../../core/project/index.js';
import {
  createProjectResponse,
  deleteProjectResponse,
  getProjectResponse,
  getTemplateResponse,
  joinResponse,
  leaveResponse,
  listProjectsResponse,
  listTemplatesResponse,
  lookUpEmails,
  permissionsResponse,
  shareProjectResponse,
  updateProjectResponse,
  type EmailLookup,
} from '../../grpc/project/project-messages.js';
import { toClientJson } from './client-json.js';

/**
 * Projects, sharing, collaboration and templates as a successful client request gets them, on the
 * project service's own port. One source: the domain result becomes `project.ProjectService`'s
 * response message (the one the gateway receives over gRPC) and that message is rendered by the
 * gateway's `toClientJson`, so both ports answer the same body (docs/adr/0043).
 */

type ClientJson = Record<string, unknown>;
const render = (message: object): ClientJson => toClientJson(message) as ClientJson;

export const projectJson = {
  created: (project: Project): ClientJson => render(createProjectResponse(project)),
  view: (view: ProjectView): ClientJson => render(getProjectResponse(view)),
  updated: (project: Project, userId: string): ClientJson => render(updateProjectResponse(project, userId)),
  deleted: (deleted: DeletedProject): ClientJson => render(deleteProjectResponse(deleted)),
  page: (page: ProjectListPage, userId: string): ClientJson => render(listProjectsResponse(page, userId)),
  shared: (outcome: ProjectShareOutcome): ClientJson => render(shareProjectResponse(outcome)),
  permissions: async (view: ProjectPermissionsView, emailOf?: EmailLookup): Promise<ClientJson> =>
    render(
      permissionsResponse(
        view,
        await lookUpEmails(
          view.members.map((member) => member.userId),
          emailOf,
        ),
      ),
    ),
  joined: (session: JoinedSession): ClientJson => render(joinResponse(session)),
  left: (session: CollaborationSession): ClientJson => render(leaveResponse(session)),
  template: (template: ProjectTemplate): ClientJson => render(getTemplateResponse(template)),
  templates: (page: TemplatePage): ClientJson => render(listTemplatesResponse(page)),
} as const;

export type { EmailLookup };
