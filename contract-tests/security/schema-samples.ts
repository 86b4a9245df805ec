import fc from 'fast-check';

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
  readonly items?: JsonSchema;
  readonly minProperties?: number;
  readonly pattern?: string;
}

const sampleString = (schema: JsonSchema, name: string, ids: ResourceIds): string => {
  const id = ids[name];
  if (id !== undefined) return id;
  if (name.includes('email')) return 'nobody@example.test';
  const text = 'sample'.padEnd(schema.minLength ?? 0, 'x');
  // A query number arrives as text of digits (adapters/http/client-api/common.ts).
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(text) && new RegExp(schema.pattern).test('1')) return '1';
  return text;
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
      return Array.from({ length: s.minItems ?? 0 }, () => (s.items ? sampleOf(s.items, ids) : 'sample'));
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

/**
 * Client mistakes that must each get a 4xx (docs/adr/0029): a control character in a string, a
 * number no store can hold (as JSON text: `1e309` is no JavaScript number at all), or arrays and
 * objects nested far deeper than any body of the API.
 */
export type ClientMistake =
  | { readonly kind: 'control'; readonly text: string }
  | { readonly kind: 'number'; readonly json: string }
  | { readonly kind: 'depth'; readonly depth: number };

const controlCharacter = fc.oneof(
  fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u000b'),
  fc
    .integer({ min: 0, max: 0x1f })
    .map((code) => String.fromCharCode(code))
    .filter((char) => !'\t\n\r'.includes(char)),
);

export const clientMistakes: fc.Arbitrary<ClientMistake> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 8 }), controlCharacter, fc.string({ maxLength: 8 })).map(([before, char, after]) => ({
    kind: 'control' as const,
    text: `${before}${char}${after}`,
  })),
  fc
    .oneof(
      fc.constantFrom('1e309', '-1e309', '1e308', '-1e308', '9223372036854775808', '18446744073709551616', '2147483648', '-2147483649'),
      fc.constantFrom('9007199254740993', '1e21', '-0', '0.5', '1e-400', '123456789012345678901234567890'),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    )
    .map((json) => ({ kind: 'number' as const, json })),
  fc.oneof(fc.integer({ min: 33, max: 2_000 }), fc.constantFrom(10_000, 100_000)).map((depth) => ({ kind: 'depth' as const, depth })),
);

const RAW = '"__raw_json__"';

/** The mistake as JSON text, to stand where a value of the body goes. */
const mistakeJson = (mistake: ClientMistake, opaqueMap: boolean): string => {
  switch (mistake.kind) {
    case 'control':
      // In a map of user keys (a configuration), the key itself carries the mistake.
      return opaqueMap ? `{${JSON.stringify(mistake.text)}:"v"}` : JSON.stringify(mistake.text);
    case 'number':
      return mistake.json;
    case 'depth':
      return `${'['.repeat(mistake.depth)}${']'.repeat(mistake.depth)}`;
  }
};

/** A valid body `sample` with the property at `pick` (among the schema's, or `x` when it has none) replaced by the mistake. */
export const bodyWithMistake = (bodySchema: unknown, sample: unknown, mistake: ClientMistake, pick: number): string => {
  const properties = Object.entries(((bodySchema ?? {}) as JsonSchema).properties ?? {});
  const base = typeof sample === 'object' && sample !== null && !Array.isArray(sample) ? (sample as Record<string, unknown>) : {};
  const [name, property] = properties[pick % Math.max(properties.length, 1)] ?? ['x', {}];
  const opaqueMap = property.type === 'object' && property.properties === undefined;
  return JSON.stringify({ ...base, [name]: '__raw_json__' }).replace(RAW, mistakeJson(mistake, opaqueMap));
};

/** A query string of the schema's parameters with the one at `pick` (or `x`) carrying the mistake as text. */
export const queryWithMistake = (querySchema: unknown, mistake: ClientMistake, pick: number): string => {
  const names = Object.keys(((querySchema ?? {}) as JsonSchema).properties ?? {});
  const name = names[pick % Math.max(names.length, 1)] ?? 'x';
  // A query string is flat: deep nesting is only long text there, kept under the HTTP/2 header block limit.
  const text =
    mistake.kind === 'control' ? mistake.text : mistake.kind === 'number' ? mistake.json : '['.repeat(Math.min(mistake.depth, 1_000));
  return `?${new URLSearchParams([[name, text]])}`;
};
