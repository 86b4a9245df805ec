import { ProjectLimits, ProjectStatuses, ShareRoles } from '../../../core/project/index.js';
import {
  bodyOf,
  booleanSchema,
  configurationSchema,
  emailSchema,
  EPOCH_MS_MAX,
  idParams,
  idSchema,
  integerSchema,
  lineSchema,
  optionalBodyOf,
  PAGE_SIZE,
  pageTokenSchema,
  queryBooleanSchema,
  queryIntegerSchema,
  queryOf,
  textSchema,
  type PageQuery,
  type QueryTypes,
  type StringMap,
} from './common.js';

/**
 * Projects, sharing, collaboration and templates as the client API takes them, on the gateway and
 * on the project service's own port alike. Field names are those of `project.ProjectService`'s
 * messages in the specification (docs/adr/0029).
 */

const nameSchema = lineSchema(ProjectLimits.nameMax, 1);
const descriptionSchema = textSchema(ProjectLimits.descriptionMax);
const statusSchema = { type: 'string', enum: ProjectStatuses } as const;

export interface ProjectListQuery extends PageQuery {
  /** Default true: projects shared with the caller too. */
  readonly include_shared?: boolean;
  /** Default false: other users' public projects too. */
  readonly include_public?: boolean;
  readonly status?: string;
}

export const listProjectsRoute = {
  schema: {
    querystring: queryOf({
      page_size: queryIntegerSchema,
      page_token: pageTokenSchema,
      include_shared: queryBooleanSchema,
      include_public: queryBooleanSchema,
      status: statusSchema,
    }),
  },
  query: { integers: { page_size: PAGE_SIZE }, booleans: ['include_shared', 'include_public'] } satisfies QueryTypes,
} as const;

export interface GetProjectQuery {
  /** Default true. */
  readonly include_configuration?: boolean;
}

export const getProjectRoute = {
  schema: { params: idParams, querystring: queryOf({ include_configuration: queryBooleanSchema }) },
  query: { booleans: ['include_configuration'] } satisfies QueryTypes,
} as const;

export interface NewProjectBody {
  readonly name: string;
  readonly description?: string;
  readonly template_id?: string;
  readonly configuration?: StringMap;
  readonly is_public?: boolean;
}

export const createProjectRoute = {
  schema: {
    body: bodyOf(
      {
        name: nameSchema,
        description: descriptionSchema,
        template_id: idSchema,
        configuration: configurationSchema,
        is_public: booleanSchema,
      },
      ['name'],
    ),
  },
} as const;

export interface ProjectPatchBody {
  readonly name?: string;
  readonly description?: string;
  readonly is_public?: boolean;
  readonly status?: string;
  readonly configuration?: StringMap;
  readonly removed_configuration_keys?: readonly string[];
  /** Optimistic concurrency: the `updated_at` the caller read; a mismatch is 409, 0 or absent skips the check. */
  readonly expected_updated_at?: number;
}

export const updateProjectRoute = {
  schema: {
    params: idParams,
    body: {
      ...bodyOf({
        name: nameSchema,
        description: descriptionSchema,
        is_public: booleanSchema,
        status: statusSchema,
        configuration: configurationSchema,
        removed_configuration_keys: {
          type: 'array',
          maxItems: ProjectLimits.configurationKeysMax,
          items: lineSchema(ProjectLimits.configurationKeyMax, 1),
        },
        expected_updated_at: integerSchema(0, EPOCH_MS_MAX),
      }),
      minProperties: 1,
    },
  },
} as const;

export interface ShareBody {
  readonly target_user_id?: string;
  readonly target_email?: string;
  readonly role: string;
}

export const shareProjectRoute = {
  schema: {
    params: idParams,
    body: {
      ...bodyOf({ target_user_id: idSchema, target_email: emailSchema, role: { type: 'string', enum: ShareRoles } }, ['role']),
      oneOf: [{ required: ['target_user_id'] }, { required: ['target_email'] }],
    },
  },
} as const;

export const idRoute = { schema: { params: idParams } } as const;

/** `client_id`: the gateway client that will receive the collaboration's updates. */
export const joinCollaborationRoute = { schema: { params: idParams, body: optionalBodyOf({ client_id: idSchema }) } } as const;

export const leaveCollaborationRoute = {
  schema: { params: idParams, querystring: queryOf({ collaboration_session_id: idSchema }) },
} as const;

export interface TemplateListQuery extends PageQuery {
  readonly category?: string;
}

export const listTemplatesRoute = {
  schema: { querystring: queryOf({ category: lineSchema(64), page_size: queryIntegerSchema, page_token: pageTokenSchema }) },
  query: { integers: { page_size: PAGE_SIZE } } satisfies QueryTypes,
} as const;
