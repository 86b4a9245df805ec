import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createProjectRoute, listProjectsRoute } from '../client-api/project-api.js';
import type { OperationDoc } from '../client-api/operation-doc.js';
import { createHttpApp } from '../fastify-app.js';
import { renderApiReference } from './api-reference-page.js';
import { registerApiReference } from './api-reference-routes.js';
import { documentedOperations } from './documented-operations.js';
import { generateOpenApiDocument, toOpenApiPath } from './openapi-document.js';
import { recordRoutes } from './recorded-routes.js';

const operation = (overrides: Partial<OperationDoc>): OperationDoc => ({
  method: 'GET',
  path: '/things',
  tag: 'projects',
  summary: 'Things',
  access: 'user',
  answers: { 200: { description: 'The things.' } },
  ...overrides,
});

describe('the OpenAPI document generated from registered routes', () => {
  it('leaves out and reports a route no operation documents, and a route validating with another schema', async () => {
    const lines: { undocumented?: string[]; mismatched?: string[]; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = createHttpApp({ logger: pino({ level: 'warn' }, sink) });
    const routes = recordRoutes(app);
    app.get('/projects', { schema: listProjectsRoute.schema }, async () => ({}));
    app.post('/projects', { schema: { body: { type: 'object' } } }, async () => ({}));
    app.get('/surprise', async () => ({}));
    registerApiReference(app, {
      service: 'test',
      routes,
      operations: documentedOperations,
      limits: { bodyLimit: 1024, maxParamLength: 100 },
    });
    await app.ready();

    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(['/docs', '/openapi.json', '/projects']);
    expect(Object.keys(document.paths['/projects'])).toEqual(['get', 'head', 'post']);
    expect(lines).toContainEqual(
      expect.objectContaining({ undocumented: ['GET /surprise', 'HEAD /surprise'], mismatched: ['POST /projects'] }),
    );
    await app.close();
  });

  it('takes parameters and bodies from the route definition, typed as the route reads them', () => {
    const { document, undocumented, mismatched } = generateOpenApiDocument({
      service: 'test',
      routes: [
        { method: 'GET', url: '/projects', schema: listProjectsRoute.schema },
        { method: 'HEAD', url: '/projects', schema: listProjectsRoute.schema },
        // A forwarding route validates nothing itself: the service it forwards to does.
        { method: 'POST', url: '/projects', schema: undefined },
      ],
      operations: documentedOperations,
      limits: { bodyLimit: 2048, maxParamLength: 100 },
    });
    expect(undocumented).toEqual([]);
    expect(mismatched).toEqual([]);
    const paths = document.paths as Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const list = paths['/projects']!.get;
    expect(list.parameters.map((p: { name: string; schema: { type: string } }) => [p.name, p.schema.type])).toEqual([
      ['page_size', 'integer'],
      ['page_token', 'string'],
      ['include_shared', 'boolean'],
      ['include_public', 'boolean'],
      ['status', 'string'],
    ]);
    expect(list.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(list.responses)).toEqual(['200', '400', '401', '403', '429', '503']);
    const head = paths['/projects']!.head;
    expect(Object.keys(head.responses)).toEqual(Object.keys(list.responses));
    expect(Object.values(head.responses).every((response) => (response as { content?: unknown }).content === undefined)).toBe(true);
    const create = paths['/projects']!.post;
    expect(create.requestBody).toMatchObject({
      required: true,
      'x-body-limit': 2048,
      content: { 'application/json': { schema: createProjectRoute.schema.body } },
    });
    expect(Object.keys(create.responses)).toEqual(['201', '400', '401', '403', '404', '413', '415', '429', '503']);
  });

  it('turns fastify paths into OpenAPI paths', () => {
    expect(toOpenApiPath('/projects/:id/share')).toBe('/projects/{id}/share');
    expect(toOpenApiPath('/dashboard/*')).toBe('/dashboard/{path}');
  });

  it('documents every method and path once', () => {
    const keys = documentedOperations.map((doc) => `${doc.method} ${doc.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('renders the page with every text of the document escaped', () => {
    const { document } = generateOpenApiDocument({
      service: '<b>x</b>',
      routes: [{ method: 'GET', url: '/things', schema: undefined }],
      operations: [operation({ summary: '<img src=x onerror=alert(1)>', description: 'Uses `a<b>`.' })],
      limits: { bodyLimit: 1024, maxParamLength: 100 },
    });
    const page = renderApiReference(document);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('<code>a&lt;b&gt;</code>');
  });
});
