import { SIMULATION_STATUSES } from '../../../core/simulation/index.js';
import {
  bodyOf,
  booleanSchema,
  configurationSchema,
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
 * Simulations as the client API takes them, on the gateway and on the simulation service's own
 * port alike (docs/adr/0029). Shapes and bounds only: the domain's rules (duration 1..3600, the
 * configuration's values) stay the domain's, which names each offending field itself.
 */

const runShape = {
  configuration: configurationSchema,
  components: { type: 'array', maxItems: 100, items: lineSchema(100, 1) },
  duration_seconds: integerSchema(1, 86_400),
} as const;

export interface RunShape {
  readonly configuration?: StringMap;
  readonly components?: readonly string[];
  readonly duration_seconds?: number;
}

export interface NewSimulationBody extends RunShape {
  readonly project_id: string;
  /** Default true: the client API starts runs it can watch. */
  readonly enable_real_time?: boolean;
}

export const startSimulationRoute = {
  schema: { body: bodyOf({ project_id: idSchema, enable_real_time: booleanSchema, ...runShape }, ['project_id']) },
} as const;

export interface ValidationBody extends RunShape {
  readonly project_id?: string;
}

export const validateSimulationRoute = { schema: { body: bodyOf({ project_id: idSchema, ...runShape }) } } as const;

export const simulationIdRoute = { schema: { params: idParams } } as const;

export interface StopBody {
  readonly reason?: string;
}

export const stopSimulationRoute = { schema: { params: idParams, body: optionalBodyOf({ reason: textSchema(500) }) } } as const;

const SAMPLES = { minimum: 0, maximum: 10_000 };

export interface ResultsQuery {
  readonly include_samples?: boolean;
  /** Newest samples kept when `include_samples`; 0 or absent: the default. */
  readonly max_samples?: number;
}

export const resultsRoute = {
  schema: { params: idParams, querystring: queryOf({ include_samples: queryBooleanSchema, max_samples: queryIntegerSchema }) },
  query: { integers: { max_samples: SAMPLES }, booleans: ['include_samples'] } satisfies QueryTypes,
} as const;

export interface MetricsQuery {
  /** Epoch ms: only samples after it. */
  readonly since?: number;
  readonly max_samples?: number;
}

export const metricsRoute = {
  schema: { params: idParams, querystring: queryOf({ since: queryIntegerSchema, max_samples: queryIntegerSchema }) },
  query: { integers: { since: { minimum: 0, maximum: EPOCH_MS_MAX }, max_samples: SAMPLES } } satisfies QueryTypes,
} as const;

export interface HistoryQuery extends PageQuery {
  readonly status?: string;
}

const historyQuerySchema = queryOf({
  status: { type: 'string', enum: [...SIMULATION_STATUSES] },
  page_size: queryIntegerSchema,
  page_token: pageTokenSchema,
});

const historyTypes = { integers: { page_size: PAGE_SIZE } } satisfies QueryTypes;

/** The caller's simulations of every project. */
export const historyRoute = { schema: { querystring: historyQuerySchema }, query: historyTypes } as const;

/** The caller's simulations of one project. */
export const projectHistoryRoute = { schema: { params: idParams, querystring: historyQuerySchema }, query: historyTypes } as const;
