import { isDeepStrictEqual } from 'node:util';
import { OperationTags, type OperationDoc, type WebSocketDoc } from '../client-api/operation-doc.js';
import { PROBLEM_CONTENT_TYPE } from '../http-problem.js';
import type { RegisteredRoute } from './recorded-routes.js';
import { describeRefusals, type RequestLimits } from './refusals.js';

/**
 * The OpenAPI 3.1 document of one HTTP port, generated from the routes it registered
 * (docs/adr/0049): each route is looked up by method and path among the documented operations,
 * its parameters and body come from the schema fastify validates it with, and the refusals every
 * route of its kind can answer are added to the ones its handler adds.
 */

export type JsonObject = Record<string, unknown>;

export interface OpenApiInputs {
  /** Names the port in the title: `api-gateway`, `auth`, ... */
  readonly service: string;
  readonly routes: readonly RegisteredRoute[];
  readonly operations: readonly OperationDoc[];
  readonly limits: RequestLimits;
  readonly webSockets?: readonly WebSocketDoc[];
}

export interface GeneratedDocument {
  readonly document: JsonObject;
  /** Registered routes no operation documents: left out of the document (a test fails on any). */
  readonly undocumented: readonly RegisteredRoute[];
  /** Routes that validate with another schema than their operation names: `METHOD url`. */
  readonly mismatched: readonly string[];
}

/** The client API's version: a change that breaks clients bumps it. */
export const CLIENT_API_VERSION = '1.0.0';

const BEARER = 'bearerAuth';
const METRICS = 'metricsToken';

/** `/projects/:id` → `/projects/{id}`; fastify's wildcard `*` → `{path}`. */
export const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, `{${WILDCARD}}`);

const WILDCARD = 'path';

export const generateOpenApiDocument = (inputs: OpenApiInputs): GeneratedDocument => {
  const byKey = new Map(inputs.operations.map((operation) => [`${operation.method} ${operation.path}`, operation]));
  const paths: Record<string, JsonObject> = {};
  const undocumented: RegisteredRoute[] = [];
  const mismatched: string[] = [];
  const tags = new Set<string>();
  for (const route of inputs.routes) {
    // fastify adds HEAD beside every GET: it answers as the GET does, without a body.
    const operation = byKey.get(`${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`);
    if (!operation) {
      undocumented.push(route);
      continue;
    }
    if (!validatesWith(route.schema, operation)) mismatched.push(`${route.method} ${route.url}`);
    tags.add(operation.tag);
    const path = (paths[toOpenApiPath(route.url)] ??= {});
    const keyed = inputs.service === 'api-gateway' && KEYED_METHODS.has(route.method);
    path[route.method.toLowerCase()] = operationObject(operation, route.method, inputs.limits, keyed);
  }
  const document: JsonObject = {
    openapi: '3.1.1',
    info: {
      title: `meshwork client API (${inputs.service})`,
      version: CLIENT_API_VERSION,
      description: infoDescription(inputs.service),
    },
    servers: [{ url: '/', description: 'The port that served this document' }],
    tags: Object.entries(OperationTags)
      .filter(([tag]) => tags.has(tag))
      .map(([name, description]) => ({ name, description })),
    paths: sortedByKey(paths),
    components: {
      schemas: { Problem: PROBLEM_SCHEMA },
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `access_token` of `POST /auth/login` or `POST /auth/refresh`.',
        },
        [METRICS]: { type: 'http', scheme: 'bearer', description: 'The `METRICS_TOKEN` setting, when it is set.' },
      },
    },
    ...(inputs.webSockets && inputs.webSockets.length > 0 && { 'x-websockets': webSocketsObject(inputs.webSockets) }),
  };
  return { document, undocumented, mismatched };
};

/** A route validates with its operation's schema, or with none when it passes the request on to the service that does. */
const validatesWith = (schema: unknown, operation: OperationDoc): boolean => {
  if (schema === undefined) return true;
  const given = schema as JsonObject;
  const documented = (operation.route?.schema ?? {}) as JsonObject;
  return (['params', 'querystring', 'body'] as const).every((part) => isDeepStrictEqual(given[part], documented[part]));
};

/** The gateway's writes take an `Idempotency-Key` (docs/adr/0058, 0064). */
const KEYED_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const IDEMPOTENCY_KEY_PARAMETER: JsonObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the write safe to repeat: the same key with the same request gets the first answer again and changes nothing ' +
    '(kept 24 hours by the service that makes the write); the same key with another request is a 409 ' +
    '`idempotency_key_reused`. The account routes under /auth, whose requests carry passwords or tokens, are not ' +
    'remembered: each is safe to repeat by itself. Without a key, the gateway makes one and returns it in the ' +
    '`Idempotency-Key` header.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$' },
};

const operationObject = (operation: OperationDoc, method: string, limits: RequestLimits, keyed: boolean): JsonObject => {
  const head = method === 'HEAD';
  const schema = operation.route?.schema ?? {};
  const bodyLimit = operation.route?.bodyLimit ?? limits.bodyLimit;
  const parameters = [...pathParameters(operation), ...queryParameters(operation), ...(keyed ? [IDEMPOTENCY_KEY_PARAMETER] : [])];
  const body = schema.body as JsonObject | undefined;
  return {
    tags: [operation.tag],
    summary: head ? `${operation.summary} (headers only)` : operation.summary,
    ...(operation.description && { description: operation.description }),
    operationId: operationIdOf(method, operation.path),
    security: securityOf(operation),
    ...(parameters.length > 0 && { parameters }),
    ...(body && {
      requestBody: {
        required: !acceptsNull(body),
        description: `JSON of at most ${bodyLimit} bytes.`,
        content: { 'application/json': { schema: body } },
        'x-body-limit': bodyLimit,
      },
    }),
    responses: { ...answersOf(operation, head, keyed), ...refusalsOf(operation, method, limits, keyed) },
  };
};

const operationIdOf = (method: string, path: string): string =>
  method.toLowerCase() +
  path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => segment.replace(/^:/, 'by_').replace(/^\*$/, 'file'))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

const securityOf = (operation: OperationDoc): JsonObject[] => {
  switch (operation.access) {
    case 'user':
      return [{ [BEARER]: [] }];
    case 'metrics':
      // Open unless the metrics token is set.
      return [{}, { [METRICS]: [] }];
    case 'anyone':
      return [];
  }
};

const pathParameters = (operation: OperationDoc): JsonObject[] => {
  const params = operation.route?.schema.params as JsonObject | undefined;
  const properties = (params?.properties ?? {}) as Record<string, JsonObject>;
  const names = [...operation.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
  const parameters = names.map((name) => ({ name, in: 'path', required: true, schema: properties[name] ?? { type: 'string' } }));
  if (operation.path.endsWith('*')) {
    parameters.push({ name: WILDCARD, in: 'path', required: true, schema: { type: 'string' } });
  }
  return parameters;
};

/**
 * Query parameters arrive as text and their schemas match text (`^[0-9]{1,16}$`, `true|false`);
 * the route reads them as numbers in a range and booleans (`readQuery`), which is what they are documented as.
 */
const queryParameters = (operation: OperationDoc): JsonObject[] => {
  const query = operation.route?.schema.querystring as JsonObject | undefined;
  const required = new Set((query?.required ?? []) as string[]);
  const integers = operation.route?.query?.integers ?? {};
  const booleans = new Set(operation.route?.query?.booleans ?? []);
  return Object.entries((query?.properties ?? {}) as Record<string, JsonObject>).map(([name, schema]) => {
    const range = integers[name];
    const typed = range ? { type: 'integer', ...range } : booleans.has(name) ? { type: 'boolean' } : schema;
    return { name, in: 'query', required: required.has(name), schema: typed };
  });
};

const acceptsNull = (schema: JsonObject): boolean => Array.isArray(schema.type) && schema.type.includes('null');

const contentOf = (media: readonly string[]): JsonObject | undefined =>
  media.length === 0
    ? undefined
    : Object.fromEntries(media.map((type) => [type, { schema: type === 'application/json' ? { type: 'object' } : { type: 'string' } }]));

const headersOf = (headers: Readonly<Record<string, string>> | undefined): JsonObject | undefined =>
  headers && Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));

const answersOf = (operation: OperationDoc, head: boolean, keyed: boolean): JsonObject =>
  Object.fromEntries(
    Object.entries(operation.answers).map(([status, answer]) => {
      const content = head ? undefined : contentOf(answer.media ?? ['application/json']);
      const headers = headersOf(keyed ? { ...answer.headers, 'idempotency-key': IDEMPOTENCY_KEY_ANSWER } : answer.headers);
      return [status, { description: answer.description, ...(headers && { headers }), ...(content && { content }) }];
    }),
  );

const IDEMPOTENCY_KEY_ANSWER = 'The key of this write: the one sent, or the one the gateway made.';

const refusalsOf = (operation: OperationDoc, method: string, limits: RequestLimits, keyed: boolean): JsonObject =>
  Object.fromEntries(
    [...describeRefusals(operation, method, limits, keyed)].map(([status, { reasons, headers }]) => [
      String(status),
      {
        description: reasons.join(' '),
        ...(headers && { headers: headersOf(headers) }),
        ...(method !== 'HEAD' && { content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } }),
      },
    ]),
  );

const webSocketsObject = (docs: readonly WebSocketDoc[]): JsonObject =>
  Object.fromEntries(
    docs.map((doc) => [
      doc.path,
      {
        summary: doc.summary,
        description: doc.description,
        security: [{ [BEARER]: [] }],
        ...(doc.query && {
          parameters: Object.entries(doc.query).map(([name, parameter]) => ({ name, in: 'query', ...parameter })),
        }),
        'server-messages': doc.serverMessages,
        'client-messages': doc.clientMessages,
        'handshake-refusals': doc.refusals,
        'close-codes': doc.closeCodes,
      },
    ]),
  );

const sortedByKey = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

const infoDescription = (service: string): string =>
  [
    `The HTTP/2 + JSON client API as the ${service} port serves it: cleartext HTTP/2 with prior knowledge (h2c) or HTTP/1.1 on the same port.`,
    'Every refusal is `application/problem+json` (RFC 9457) with a 4xx status, a stable `type` (`urn:meshwork:problem:<code>`) ' +
      'and field-level `errors`; 503 means a dependency could not answer and a retry may pass. A client mistake is never a 5xx.',
    'Bodies are validated without coercion and unknown fields are refused. Every request counts against a per-address rate limit; ' +
      'a browser page of another origin must be allowed (`GATEWAY_CORS_ORIGINS`).',
    'Generated from the routes this port registered and the schemas they validate with (docs/adr/0049).',
  ].join('\n\n');

/** RFC 9457 problem details as adapters/http/http-problem.ts renders them. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: '`urn:meshwork:problem:<code>`: an identifier to switch on.' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path.' },
    errors: {
      type: 'array',
      description: 'Field-level violations of an invalid request.',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;
