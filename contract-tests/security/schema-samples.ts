/**
 * The smallest valid value of a route's JSON schema (the subset the client API uses: objects with
 * `required`, `oneOf`, strings with bounds and patterns, enums, integers, booleans, arrays, maps),
 * so an authorisation test reaches the handler instead of stopping at validation. Strings whose
 * property names a known resource (`project_id`, ...) get that resource's id.
 */
export type ResourceIds = Readonly<Record<string, string>>;

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly minimum?: number;
  readonly minItems?: number;
  readonly minProperties?: number;
  readonly pattern?: string;
}

const sampleString = (schema: JsonSchema, name: string, ids: ResourceIds): string => {
  const id = ids[name];
  if (id !== undefined) return id;
  if (name.includes('email')) return 'nobody@example.test';
  const text = 'sample';
  return text.padEnd(schema.minLength ?? 0, 'x');
};

export const sampleOf = (schema: unknown, ids: ResourceIds, name = ''): unknown => {
  const s = (schema ?? {}) as JsonSchema;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return sampleString(s, name, ids);
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => 'sample');
    case 'object':
    case undefined: {
      const branch = s.oneOf?.[0] ?? s.anyOf?.[0];
      const required = new Set([...(s.required ?? []), ...(branch?.required ?? [])]);
      // `minProperties` (a PATCH must change something): add the first optional strings it needs.
      for (const [key, property] of Object.entries(s.properties ?? {})) {
        if (required.size >= (s.minProperties ?? 0)) break;
        if (property.type === 'string' && !property.enum) required.add(key);
      }
      return Object.fromEntries(
        [...required].filter((key) => s.properties?.[key]).map((key) => [key, sampleOf(s.properties?.[key], ids, key)]),
      );
    }
    default:
      return null;
  }
};

/** The route's path with each `:param` replaced by the id of that resource (by the path segment before it). */
export const samplePath = (url: string, idOfSegment: (segment: string) => string | undefined): string =>
  url.replace(/\/([^/]+)\/:(\w+)/g, (_match, segment: string) => {
    const id = idOfSegment(segment);
    if (id === undefined) throw new Error(`no owned resource known for /${segment}/:id in ${url}: add one to the matrix`);
    return `/${segment}/${encodeURIComponent(id)}`;
  });

/** Names of the resources a route refers to, in its path (`/projects/:id`) or body (`project_id`). */
export const referencedResources = (url: string, bodySample: unknown, ids: ResourceIds): string[] => {
  const inPath = [...url.matchAll(/\/([^/]+)\/:\w+/g)].map((match) => match[1] ?? '');
  const inBody = typeof bodySample === 'object' && bodySample !== null ? Object.keys(bodySample).filter((key) => key in ids) : [];
  return [...inPath, ...inBody];
};
