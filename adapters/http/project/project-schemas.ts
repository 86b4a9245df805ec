import { ExportFormats, ExportKinds } from '../../../core/exports/model.js';
import { ProjectLimits, ProjectStatuses, ShareRoles } from '../../../core/project/index.js';

/** JSON schemas of the project routes: shapes and size limits; the domain keeps its own rules. */

const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' } as const;

export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const;

const pageSize = { type: 'integer', minimum: 1, maximum: ProjectLimits.pageSizeMax } as const;
const pageToken = { type: 'string', minLength: 1, maxLength: 512 } as const;
const name = { type: 'string', minLength: 1, maxLength: ProjectLimits.nameMax } as const;
const description = { type: 'string', maxLength: ProjectLimits.descriptionMax } as const;
const status = { type: 'string', enum: ProjectStatuses } as const;

export const configuration = {
  type: 'object',
  maxProperties: ProjectLimits.configurationKeysMax,
  propertyNames: { minLength: 1, maxLength: ProjectLimits.configurationKeyMax },
  additionalProperties: { type: 'string', maxLength: ProjectLimits.configurationValueMax },
} as const;

export const listProjectsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { scope: { type: 'string', enum: ['owned', 'shared', 'public', 'accessible'] }, status, page_size: pageSize, page_token: pageToken },
} as const;

export const getProjectQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { include_configuration: { type: 'boolean' } },
} as const;

export const createProjectBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name, description, template_id: { type: 'string', maxLength: 64 }, configuration, is_public: { type: 'boolean' } },
} as const;

export const updateProjectBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    name,
    description,
    is_public: { type: 'boolean' },
    status,
    configuration,
    removed_configuration_keys: {
      type: 'array',
      maxItems: ProjectLimits.configurationKeysMax,
      items: { type: 'string', minLength: 1, maxLength: ProjectLimits.configurationKeyMax },
    },
    expected_version: { type: 'integer', minimum: 1 },
  },
} as const;

export const shareProjectBody = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { user_id: id, email: { type: 'string', minLength: 3, maxLength: 254 }, role: { type: 'string', enum: ShareRoles } },
  oneOf: [{ required: ['user_id'] }, { required: ['email'] }],
} as const;

export const listTemplatesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { category: { type: 'string', minLength: 1, maxLength: 64 }, page_size: pageSize, page_token: pageToken },
} as const;

export const createExportBody = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: { kind: { type: 'string', enum: ExportKinds }, simulation_id: id, project_id: id, format: { type: 'string', enum: ExportFormats } },
  allOf: [
    { if: { properties: { kind: { const: 'simulation_results' } } }, then: { required: ['simulation_id'] } },
    { if: { properties: { kind: { const: 'project_report' } } }, then: { required: ['project_id'] } },
  ],
} as const;
