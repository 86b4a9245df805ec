import { jsonAnswer, type OperationDoc } from './operation-doc.js';
import {
  createProjectRoute,
  getProjectRoute,
  idRoute,
  joinCollaborationRoute,
  leaveCollaborationRoute,
  listProjectsRoute,
  listTemplatesRoute,
  shareProjectRoute,
  updateProjectRoute,
} from './project-api.js';

/**
 * The API reference of the project routes (docs/adr/0049): answers are `project.ProjectService`'s
 * response messages as client JSON (proto/project.proto, docs/adr/0043).
 */

const NOT_READABLE = 'No project with this id that you can read (`project_not_found`): a project you may not see does not exist for you.';
const message = (name: string, more = '') => `\`project.${name}\` as client JSON (snake_case keys, epoch-ms times)${more}.`;

export const projectOperations: readonly OperationDoc[] = [
  {
    method: 'GET',
    path: '/projects',
    tag: 'projects',
    summary: 'List your projects',
    description: 'Your own projects, those shared with you unless `include_shared=false`, and public ones with `include_public=true`.',
    access: 'user',
    route: listProjectsRoute,
    answers: { 200: jsonAnswer(message('ListProjectsResponse', '; `next_page_token` is empty on the last page')) },
    refusals: { 400: 'A `page_token` this service did not issue (`invalid_page_token`).', 403: 'Listing is not among your permissions.' },
  },
  {
    method: 'POST',
    path: '/projects',
    tag: 'projects',
    summary: 'Create a project',
    description: 'Optionally from a template (`GET /templates`); publishes `project:events:created`.',
    access: 'user',
    route: createProjectRoute,
    answers: { 201: jsonAnswer(message('CreateProjectResponse'), { location: 'The new project (project port).' }) },
    refusals: {
      400: 'A rule of the domain: a blank name, too many configuration keys (`invalid_input`).',
      403: 'You lack `project:create` (`permission_denied`).',
      404: 'No template with this `template_id` (`template_not_found`).',
    },
  },
  {
    method: 'GET',
    path: '/projects/:id',
    tag: 'projects',
    summary: 'Read a project',
    access: 'user',
    route: getProjectRoute,
    answers: { 200: jsonAnswer(message('GetProjectResponse', '; `configuration` unless `include_configuration=false`')) },
    refusals: { 404: NOT_READABLE },
  },
  {
    method: 'PATCH',
    path: '/projects/:id',
    tag: 'projects',
    summary: 'Change a project',
    description:
      'Only the fields sent change. `expected_updated_at` (the `updated_at` you read) makes it a conditional update; ' +
      'making a project public or private is the owner’s alone.',
    access: 'user',
    route: updateProjectRoute,
    answers: { 200: jsonAnswer(message('UpdateProjectResponse', ': `{"project": ProjectSummary}`')) },
    refusals: {
      400: 'A rule of the domain (`invalid_input`).',
      403: 'Your access (viewer, editor) or your permissions do not allow this change (`action_not_allowed`, `permission_denied`).',
      404: NOT_READABLE,
      409: 'The project changed since `expected_updated_at` (`version_conflict`): read it again.',
    },
  },
  {
    method: 'DELETE',
    path: '/projects/:id',
    tag: 'projects',
    summary: 'Delete a project',
    access: 'user',
    route: idRoute,
    answers: { 200: jsonAnswer(message('DeleteProjectResponse')) },
    refusals: { 403: 'Only the owner may delete a project (`action_not_allowed`, `permission_denied`).', 404: NOT_READABLE },
  },
  {
    method: 'POST',
    path: '/projects/:id/share',
    tag: 'projects',
    summary: 'Share a project',
    description: 'With a user named by `target_user_id` or `target_email` (exactly one), as `viewer` or `editor`.',
    access: 'user',
    route: shareProjectRoute,
    answers: { 200: jsonAnswer(message('ShareProjectResponse')) },
    refusals: {
      400: 'Sharing with yourself (`cannot_share_with_self`), or another rule of the domain (`invalid_input`).',
      403: 'Only the owner shares (`action_not_allowed`), or you lack `project:share`.',
      404: `${NOT_READABLE} Or no user with that id or email (\`user_not_found\`).`,
    },
  },
  {
    method: 'GET',
    path: '/projects/:id/permissions',
    tag: 'projects',
    summary: 'List who may do what with a project',
    access: 'user',
    route: idRoute,
    answers: { 200: jsonAnswer(message('GetProjectPermissionsResponse')) },
    refusals: { 404: NOT_READABLE },
  },
  {
    method: 'POST',
    path: '/projects/:id/collaboration',
    tag: 'projects',
    summary: 'Join the project’s collaboration session',
    description:
      '`client_id` names the joining client (default `api:<user id>`); its presence expires unless renewed. ' +
      'The live session, with edits, is the gateway’s `/collaboration` WebSocket (docs/adr/0050).',
    access: 'user',
    route: joinCollaborationRoute,
    answers: { 200: jsonAnswer(message('JoinCollaborationResponse')) },
    refusals: { 404: NOT_READABLE },
  },
  {
    method: 'DELETE',
    path: '/projects/:id/collaboration',
    tag: 'projects',
    summary: 'Leave the project’s collaboration session',
    access: 'user',
    route: leaveCollaborationRoute,
    answers: { 200: jsonAnswer(message('LeaveCollaborationResponse')) },
    refusals: { 404: NOT_READABLE },
  },
  {
    method: 'GET',
    path: '/templates',
    tag: 'templates',
    summary: 'List the project templates',
    access: 'user',
    route: listTemplatesRoute,
    answers: { 200: jsonAnswer(message('ListTemplatesResponse')) },
    refusals: { 400: 'A `page_token` this service did not issue (`invalid_page_token`).' },
  },
  {
    method: 'GET',
    path: '/templates/:id',
    tag: 'templates',
    summary: 'Read a project template',
    access: 'user',
    route: idRoute,
    answers: { 200: jsonAnswer(message('GetTemplateResponse')) },
    refusals: { 404: 'No template with this id (`template_not_found`).' },
  },
];
