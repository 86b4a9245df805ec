import { request, type Dispatcher } from 'undici';
import type { CataloguedRoute } from './route-catalogue.js';
import { referencedResources, sampleOf, samplePath, type ResourceIds } from './schema-samples.js';

/** A route made callable: its path, query and body filled with valid samples naming the victim's resources. */
export interface RouteProbe {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly body: unknown;
  /** Whether it names a resource of the victim's (so another user's token must be refused). */
  readonly touchesVictim: boolean;
}

export const probeOf = (
  service: string,
  route: CataloguedRoute,
  idOfSegment: (segment: string) => string | undefined,
  bodyIds: ResourceIds,
  ownedNames: ReadonlySet<string>,
  /** The body schema of the same route on the service a forwarding route passes it to. */
  bodySchemaElsewhere?: unknown,
): RouteProbe => {
  const withBody = ['POST', 'PATCH', 'PUT'].includes(route.method);
  const schema = (route.schema ?? {}) as { body?: unknown; querystring?: unknown };
  const body = withBody ? sampleWithIds(schema.body ?? bodySchemaElsewhere, bodyIds) : undefined;
  const queryValues = Object.entries(sampleOf(schema.querystring, bodyIds) as Record<string, unknown>);
  const query = new URLSearchParams(queryValues.map(([name, value]): [string, string] => [name, String(value)]));
  const search = query.size > 0 ? `?${query}` : '';
  return {
    service,
    method: route.method,
    route: route.url,
    path: samplePath(route.url, idOfSegment) + search,
    body,
    touchesVictim: referencedResources(route.url, body, bodyIds).some((name) => ownedNames.has(name)),
  };
};

/** The schema's sample, plus every optional property that names a known resource (`simulation_id`, ...). */
const sampleWithIds = (schema: unknown, ids: ResourceIds): unknown => {
  const sample = sampleOf(schema, ids);
  if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) return sample ?? {};
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const named = Object.keys(properties)
    .filter((key) => key in ids)
    .map((key) => [key, ids[key]]);
  return { ...Object.fromEntries(named), ...sample };
};

/** Sends the probe with the given `authorization` header (none when undefined); resolves with the status. */
export const send = async (http: Dispatcher, base: string, probe: RouteProbe, authorization: string | undefined): Promise<number> => {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (probe.body !== undefined) headers['content-type'] = 'application/json';
  const answer = await request(`${base}${probe.path}`, {
    dispatcher: http,
    method: probe.method as Dispatcher.HttpMethod,
    headers,
    body: probe.body === undefined ? undefined : JSON.stringify(probe.body),
  });
  await answer.body.dump();
  return answer.statusCode;
};
