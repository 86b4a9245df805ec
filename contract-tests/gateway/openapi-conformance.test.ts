import { connect, type ClientHttp2Session } from 'node:http2';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMesh } from '../../composition/launcher.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import { UNTHROTTLED_GATEWAY } from '../../test-support/mesh-process.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { h2cAgent, http2Request, jsonRequest } from '../support/http2-client.js';
import { validValueOf, type Hints } from '../support/schema-arbitrary.js';

/**
 * Requests generated from the gateway's own OpenAPI document, valid and not, sent to a running mesh
 * over HTTP/2: every answer must be a status the document lists for that operation, refusals must be
 * problem+json, successes of a documented media type, and none >= 500 (docs/adr/0049).
 */

type JsonObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STARTUP_TIMEOUT_MS = 120_000;
/** Cases per operation: 56 operations (HEAD included), so about 1,400 requests in all. */
const RUNS = Number(process.env.OPENAPI_RUNS ?? 25);
const METHODS = ['get', 'head', 'post', 'patch', 'delete'] as const;

interface Operation {
  readonly method: (typeof METHODS)[number];
  readonly path: string;
  readonly spec: JsonObject;
}

interface Fixtures {
  project: string;
  simulation: string;
  export: string;
  template: string;
}

/** A generated request, before the fixtures' ids are put in. */
interface Case {
  readonly pathValues: readonly PathValue[];
  readonly query: readonly [string, string][];
  readonly body: BodyChoice;
  readonly token: 'ada' | 'bob' | 'none' | 'garbage' | 'not-bearer';
  readonly foreignOrigin: boolean;
}

type PathValue =
  | { readonly kind: 'fixture' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'raw'; readonly text: string };
type BodyChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string; readonly contentType: string };

/** The password of every user `aUser` registers. */
const PASSWORD = 'correct horse battery';

const FIXTURE_OF: Readonly<Record<string, keyof Fixtures>> = {
  projects: 'project',
  simulations: 'simulation',
  exports: 'export',
  templates: 'template',
};

const pathValue = (schema: JsonObject): fc.Arbitrary<PathValue> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant({ kind: 'fixture' } as const) },
    { weight: 2, arbitrary: validValueOf(schema).map((text) => ({ kind: 'text', text: String(text) }) as const) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'grapheme' }).map((text) => ({ kind: 'text', text }) as const) },
    // Not `..`: the client's URL parser resolves it before sending.
    { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%00', '%E0%A4%A', 'a'.repeat(200)).map((text) => ({ kind: 'raw', text }) as const) },
  );

const queryValue = (schema: JsonObject): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: validValueOf(schema).map(String) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom('', 'abc', '-1', '1e309', '99999999999999999', 'TRUE', '\u0001', '\u0000'),
        fc.string({ maxLength: 600, unit: 'grapheme' }),
        fc.integer().map(String),
      ),
    },
  );

const queryOf = (parameters: JsonObject[]): fc.Arbitrary<[string, string][]> =>
  fc
    .tuple(
      ...parameters.map((parameter) =>
        fc.option(queryValue(parameter.schema), { freq: 2, nil: undefined }).map((value) => [parameter.name, value] as const),
      ),
      // Rarely, a parameter the operation does not take (or one it takes, twice).
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('unknown', 'page_size', '__proto__'), fc.string({ maxLength: 10 })) },
      ),
    )
    .map((entries) =>
      entries.filter((entry): entry is [string, string] => entry !== undefined && entry[1] !== undefined).map(([k, v]) => [k, v]),
    );

/** A value of another shape where a field was: the schema's bounds and types tested from outside. */
const mutated = (schema: JsonObject, hints: Hints): fc.Arbitrary<unknown> =>
  fc
    .tuple(validValueOf(schema, hints), fc.jsonValue({ maxDepth: 2 }), fc.nat(), fc.constantFrom('replace', 'add', 'drop'))
    .map(([value, other, pick, how]) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return other;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys({ ...copy, ...((schema.properties ?? {}) as object) });
      const key = keys.length > 0 ? keys[pick % keys.length]! : 'x';
      if (how === 'replace') copy[key] = other;
      else if (how === 'add') copy[`unknown_${key}`] = other;
      else delete copy[key];
      return copy;
    });

const bodyOf = (method: Operation['method'], requestBody: JsonObject | undefined, hints: Hints): fc.Arbitrary<BodyChoice> => {
  // A GET or HEAD carries no body (fetch refuses one, and undici's HTTP/2 client breaks on it).
  if (method === 'get' || method === 'head') return fc.constant({ kind: 'none' } as const);
  if (!requestBody) {
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: 'none' } as const) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'json', value }) as const) },
    );
  }
  const schema = requestBody.content['application/json'].schema as JsonObject;
  const limit = requestBody['x-body-limit'] as number;
  return fc.oneof(
    { weight: 8, arbitrary: validValueOf(schema, hints).map((value) => ({ kind: 'json', value }) as const) },
    { weight: 4, arbitrary: mutated(schema, hints).map((value) => ({ kind: 'json', value }) as const) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json', value }) as const) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' } as const) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 100 }).map((text) => ({ kind: 'text', text, contentType: 'application/json' }) as const),
        fc.constant({ kind: 'text', text: '[]'.repeat(40), contentType: 'application/json' } as const),
        fc.constant({ kind: 'text', text: 'name=x', contentType: 'application/x-www-form-urlencoded' } as const),
        fc.constant({ kind: 'text', text: `"${'x'.repeat(limit)}"`, contentType: 'application/json' } as const),
      ),
    },
  );
};

const caseOf = (operation: Operation, hints: Hints): fc.Arbitrary<Case> => {
  const parameters = (operation.spec.parameters ?? []) as JsonObject[];
  return fc.record({
    pathValues: fc.tuple(...parameters.filter((p) => p.in === 'path').map((p) => pathValue(p.schema))),
    query: queryOf(parameters.filter((p) => p.in === 'query')),
    body: bodyOf(operation.method, operation.spec.requestBody, hints),
    token: fc.oneof(
      { weight: 8, arbitrary: fc.constant('ada' as const) },
      { weight: 1, arbitrary: fc.constantFrom('bob' as const, 'none' as const, 'garbage' as const, 'not-bearer' as const) },
    ),
    // Rarely: a foreign origin is refused (403) before anything else, which would hide the rest.
    foreignOrigin: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
};

describe('requests generated from the gateway’s OpenAPI document', () => {
  const http = h2cAgent();
  let session: ClientHttp2Session | undefined;
  let mesh: RunningMesh;
  let base: string;
  let ada: TestUser;
  let bob: TestUser;
  /** Sessions that `POST /auth/logout` may end, one per case: the others keep working. */
  const spareSessions: string[] = [];
  let fixtures: Fixtures;
  let operations: Operation[];
  /** A refresh token of a spare session: it works once. */
  let refreshToken: string;

  const newProject = async (name: string): Promise<string> => {
    const created = await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name } });
    if (created.status !== 201) throw new Error(`create project answered ${created.status}`);
    return created.body.project_id;
  };

  beforeAll(async () => {
    mesh = await startTestMesh({ ...UNTHROTTLED_GATEWAY });
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
    ada = await aUser(http, base, 'ada');
    bob = await aUser(http, base, 'bob');
    for (let i = 0; i < 24; i += 1) spareSessions.push((await aUser(http, base, 'spare')).token);
    const spare = await aUser(http, base, 'refresher');
    refreshToken = (await jsonRequest(http, 'POST', `${base}/auth/login`, { body: { email: spare.email, password: PASSWORD } })).body
      .refresh_token;
    const project = await newProject('Conformance');
    const simulation = await jsonRequest(http, 'POST', `${base}/simulations`, {
      token: ada.token,
      body: { project_id: project, duration_seconds: 600 },
    });
    const exported = await jsonRequest(http, 'POST', `${base}/simulations/${simulation.body.simulation_id}/exports`, {
      token: ada.token,
      body: {},
    });
    const templates = await jsonRequest(http, 'GET', `${base}/templates`, { token: ada.token });
    fixtures = {
      project,
      simulation: simulation.body.simulation_id,
      export: exported.body.export.id,
      template: templates.body.templates[0].template_id,
    };
    const document = (await jsonRequest(http, 'GET', `${base}/openapi.json`)).body as JsonObject;
    operations = Object.entries(document.paths as Record<string, JsonObject>).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ method, path, spec: item[method] as JsonObject })),
    );
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    session?.close();
    await http.close();
    await mesh?.stop();
  }, STARTUP_TIMEOUT_MS);

  const tokenFor = (operation: Operation, choice: Case['token']): string | undefined => {
    switch (choice) {
      case 'ada':
        // Logging out ends the session it names: a spare one, so every other case keeps a live token.
        return `Bearer ${operation.path === '/auth/logout' ? (spareSessions.pop() ?? 'spent') : ada.token}`;
      case 'bob':
        return `Bearer ${bob.token}`;
      case 'garbage':
        return 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl';
      case 'not-bearer':
        return 'Basic YWRhOnNlY3JldA==';
      case 'none':
        return undefined;
    }
  };

  const urlOf = (operation: Operation, sent: Case): string => {
    let index = 0;
    const path = operation.path.replace(/\{[^}]+\}/g, () => {
      const value = sent.pathValues[index++]!;
      if (value.kind === 'raw') return value.text;
      if (value.kind === 'text') return encodeURIComponent(value.text);
      const segment = operation.path.split('/')[1] ?? '';
      const fixture = FIXTURE_OF[segment];
      return fixture ? encodeURIComponent(fixtures[fixture]) : 'app.js';
    });
    const query = new URLSearchParams(sent.query).toString();
    return `${path}${query ? `?${query}` : ''}`;
  };

  /** Real values for properties of these names, so generated requests also reach what a valid one does. */
  const hintsOf = (): Hints => ({
    // Read when generated: a deleted project is replaced.
    project_id: fc.constant(null).map(() => fixtures.project),
    simulation_id: fc.constant(fixtures.simulation),
    template_id: fc.constant(fixtures.template),
    target_email: fc.constant(bob.email),
    target_user_id: fc.constant(bob.userId),
    // Logins as ada, registrations that pass the domain's password rule.
    email: fc.constant(ada.email),
    password: fc.constant(PASSWORD),
    refresh_token: fc.constant(refreshToken),
  });

  it('answers each with a status its operation documents, problem+json when refused, never >= 500', async () => {
    const hints = hintsOf();
    const statuses = new Map<string, Map<number, number>>();
    let sentCount = 0;
    for (const operation of operations) {
      const documented = Object.keys(operation.spec.responses).map(Number);
      const seen = new Map<number, number>();
      statuses.set(`${operation.method.toUpperCase()} ${operation.path}`, seen);
      await fc.assert(
        fc.asyncProperty(caseOf(operation, hints), async (sent) => {
          sentCount += 1;
          const headers: Record<string, string> = {};
          const authorization = tokenFor(operation, sent.token);
          if (authorization) headers.authorization = authorization;
          if (sent.foreignOrigin) headers.origin = 'https://elsewhere.example';
          let body: string | undefined;
          if (sent.body.kind === 'json') {
            headers['content-type'] = 'application/json';
            body = JSON.stringify(sent.body.value);
          } else if (sent.body.kind === 'text') {
            headers['content-type'] = sent.body.contentType;
            body = sent.body.text;
          }
          const url = urlOf(operation, sent);
          if (!session || session.closed || session.destroyed) session = connect(base);
          const { status, headers: answered, text } = await http2Request(session, operation.method.toUpperCase(), url, headers, body);
          seen.set(status, (seen.get(status) ?? 0) + 1);
          const what = `${operation.method.toUpperCase()} ${url} ${sent.token} ${(body ?? '').slice(0, 300)} -> ${status} ${text.slice(0, 300)}`;
          expect(status, what).toBeLessThan(500);
          expect(documented, what).toContain(status);
          const type = String(answered['content-type'] ?? '').split(';')[0]!;
          if (operation.method === 'head') return;
          if (status >= 400) {
            expect(type, what).toBe('application/problem+json');
            expect(JSON.parse(text).status, what).toBe(status);
          } else if (text.length > 0) {
            expect(Object.keys(operation.spec.responses[String(status)].content ?? {}), what).toContain(type);
          }
          if (
            status === 200 &&
            operation.method === 'delete' &&
            operation.path === '/projects/{id}' &&
            sent.pathValues[0]?.kind === 'fixture'
          ) {
            fixtures.project = await newProject('Conformance again');
          }
        }),
        { numRuns: RUNS },
      );
    }
    const answered = [...statuses].filter(([, seen]) => [...seen.keys()].some((status) => status < 300));
    const spread = [...statuses].map(([key, seen]) => `${key} ${[...seen].map(([s, n]) => `${s}x${n}`).join(',')}`).join('\n  ');
    console.log(
      `[openapi-conformance] ${sentCount} requests to ${operations.length} operations, 0 answered >= 500 or undocumented:\n  ${spread}`,
    );
    // Not a test of refusals alone: most operations were reached and answered successfully.
    expect(answered.length, spread).toBeGreaterThan(operations.length * 0.8);
  }, 120_000);
});
