import type { QueryTypes } from './common.js';

/**
 * What the API reference says about one route beyond its request schema (docs/adr/0049). The
 * OpenAPI document is generated from the routes a port registers: each one is looked up here by
 * method and path, and its parameters and body come from `route`, the definition the route
 * validates with. Refusals every route of a kind can answer (a malformed body, a missing token, a
 * rate limit) are added by the generator; `refusals` lists what this route's handler adds.
 */

export type DocumentedMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call: a signed-in user's bearer token, the metrics token when one is set, or anyone. */
export type Access = 'user' | 'metrics' | 'anyone';

/** The client API's groups, in the order the reference lists them. */
export const OperationTags = {
  auth: 'Accounts and sessions',
  projects: 'Projects',
  templates: 'Templates',
  simulations: 'Simulations',
  exports: 'Exports and reports',
  admin: 'Administration and announcements',
  dashboard: 'Dashboard',
  service: 'Service',
} as const;

export type OperationTag = keyof typeof OperationTags;

/** A route definition of ../client-api: the schema fastify validates with, the query's typed parameters, the body limit. */
export interface RouteDefinition {
  readonly schema: { readonly params?: object; readonly querystring?: object; readonly body?: object };
  readonly query?: QueryTypes;
  readonly bodyLimit?: number;
}

/** A successful answer. `media` lists the body's content types (none: no body); default JSON. */
export interface AnswerDoc {
  readonly description: string;
  readonly media?: readonly string[];
  /** Response headers worth a client's attention, by name. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The refusals a handler answers itself (4xx, 503), each with what it means for this route. */
export type RefusalDocs = Readonly<Partial<Record<400 | 401 | 403 | 404 | 409 | 429 | 503, string>>>;

export interface OperationDoc {
  readonly method: DocumentedMethod;
  /** As fastify registers it: `/projects/:id`, `/dashboard/*`. */
  readonly path: string;
  readonly tag: OperationTag;
  readonly summary: string;
  readonly description?: string;
  readonly access: Access;
  /** Absent for a route that takes no parameters, query or body. */
  readonly route?: RouteDefinition;
  /** Successful answers by status. */
  readonly answers: Readonly<Record<number, AnswerDoc>>;
  readonly refusals?: RefusalDocs;
}

export const JSON_MEDIA = ['application/json'] as const;
export const NO_BODY = [] as const;

/** A JSON answer: `what` names the message or shape it carries. */
export const jsonAnswer = (description: string, headers?: Readonly<Record<string, string>>): AnswerDoc => ({
  description,
  media: JSON_MEDIA,
  ...(headers && { headers }),
});

/** A WebSocket endpoint of the client port, described in the document's `x-websockets` (OpenAPI has no WebSocket object). */
export interface WebSocketDoc {
  readonly path: string;
  readonly summary: string;
  readonly description: string;
  /** Query parameters of the upgrade request, by name. */
  readonly query?: Readonly<Record<string, { readonly description: string; readonly required: boolean; readonly schema: object }>>;
  /** Messages the server sends, by `type`. */
  readonly serverMessages: Readonly<Record<string, string>>;
  /** Messages a client may send, by `type`. */
  readonly clientMessages: Readonly<Record<string, string>>;
  /** HTTP answers to an upgrade that will not happen (application/problem+json), by status. */
  readonly refusals: Readonly<Record<number, string>>;
  /** Close codes, by code. */
  readonly closeCodes: Readonly<Record<number, string>>;
}
