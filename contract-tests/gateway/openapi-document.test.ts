import { createHash } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { request } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOpenApiPath } from '../../adapters/http/openapi/openapi-document.js';
import { API_REFERENCE_CSP } from '../../adapters/http/openapi/api-reference-page.js';
import { COLLABORATION_PATH } from '../../adapters/websocket/collaboration-route.js';
import { WebSocketPaths } from '../../adapters/websocket/web-socket-hub.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { RouteCatalogue } from '../security/route-catalogue.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';

type JsonObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STARTUP_TIMEOUT_MS = 120_000;
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'];

/** Every JSON schema inside an OpenAPI document, with where it sits. */
const schemasOf = (document: JsonObject): [string, JsonObject][] => {
  const found: [string, JsonObject][] = [];
  const media = (where: string, content: JsonObject | undefined) => {
    for (const [type, entry] of Object.entries(content ?? {})) if (entry.schema) found.push([`${where} ${type}`, entry.schema]);
  };
  for (const [path, item] of Object.entries(document.paths as JsonObject)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const operation = item[method];
      for (const parameter of operation.parameters ?? []) found.push([`${method} ${path} ${parameter.name}`, parameter.schema]);
      media(`${method} ${path} body`, operation.requestBody?.content);
      for (const [status, response] of Object.entries(operation.responses as JsonObject))
        media(`${method} ${path} ${status}`, response.content);
    }
  }
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) found.push([name, schema as JsonObject]);
  return found;
};

describe('the OpenAPI document of every HTTP port', () => {
  const http = h2cAgent();
  const catalogue = RouteCatalogue.listen({ head: true });
  let mesh: RunningMesh;
  const documents = new Map<string, { readonly port: number; readonly document: JsonObject }>();

  beforeAll(async () => {
    mesh = await startTestMesh();
    catalogue.stop();
    for (const [service, running] of mesh.services) {
      const answer = await jsonRequest(http, 'GET', `http://127.0.0.1:${running.http.port}/openapi.json`);
      expect(answer.status, service).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      documents.set(service, { port: running.http.port, document: answer.body });
    }
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    catalogue.stop();
    await http.close();
    await mesh?.stop();
  }, STARTUP_TIMEOUT_MS);

  it('is valid OpenAPI 3.1, and every schema in it compiles as JSON Schema 2020-12 in strict mode', async () => {
    expect([...documents.keys()].sort()).toEqual(['api-gateway', 'auth', 'project', 'simulation']);
    for (const [service, { document }] of documents) {
      const validator = new Validator();
      const outcome = await validator.validate(structuredClone(document));
      expect(outcome.errors, service).toBeUndefined();
      expect(outcome.valid, service).toBe(true);
      expect(validator.version).toBe('3.1');
      // strictRequired would refuse `then: {required: [x]}` naming a property declared beside the `allOf`: valid JSON Schema.
      const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
      // The document's own schemas, where `#/components/schemas/X` points.
      ajv.addSchema({ $id: 'https://meshwork.invalid/components', $defs: document.components.schemas });
      const schemas = schemasOf(document);
      expect(schemas.length).toBeGreaterThan(10);
      for (const [where, schema] of schemas) {
        const resolved = schema.$ref
          ? { $ref: schema.$ref.replace('#/components/schemas/', 'https://meshwork.invalid/components#/$defs/') }
          : schema;
        expect(() => ajv.compile(resolved), `${service}: ${where}`).not.toThrow();
      }
    }
  });

  it('the validator refuses a document that is not OpenAPI 3.1', async () => {
    const broken = structuredClone(documents.get('api-gateway')!.document);
    broken.paths['/projects'].get.parameters[0].in = 'body';
    broken.paths['/projects/{id}'].get.responses['200'] = { content: {} };
    const outcome = await new Validator().validate(broken);
    expect(outcome.valid).toBe(false);
  });

  it('documents every route each port registers, with its methods, and no route a port does not have', () => {
    for (const [service, { port, document }] of documents) {
      const registered = catalogue
        .routesOnPort(port)
        .map((route) => `${route.method} ${toOpenApiPath(route.url)}`)
        .sort();
      const documented = Object.entries(document.paths as JsonObject)
        .flatMap(([path, item]) => METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(documented, service).toEqual(registered);
    }
  });

  it('gives every operation its successes, its refusals as problem+json, its security and its parameters', () => {
    const gateway = documents.get('api-gateway')!.document;
    const statuses = new Set<string>();
    for (const [path, item] of Object.entries(gateway.paths as JsonObject)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const operation = item[method];
        const codes = Object.keys(operation.responses);
        codes.forEach((code) => statuses.add(code));
        expect(
          codes.some((code) => code.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
        expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '403', '429']));
        expect(
          codes.some((code) => code.startsWith('5') && code !== '503'),
          `${method} ${path}`,
        ).toBe(false);
        for (const code of codes.filter((c) => Number(c) >= 400 && method !== 'head')) {
          expect(Object.keys(operation.responses[code].content), `${method} ${path} ${code}`).toEqual(['application/problem+json']);
        }
        expect(Array.isArray(operation.security), `${method} ${path}`).toBe(true);
        if (operation.security.some((requirement: JsonObject) => 'bearerAuth' in requirement)) {
          expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '503']));
        }
        if (['post', 'patch', 'delete'].includes(method))
          expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['413', '415']));
        const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
        expect(
          (operation.parameters ?? []).filter((p: JsonObject) => p.in === 'path').map((p: JsonObject) => p.name),
          `${method} ${path}`,
        ).toEqual(pathParameters);
      }
    }
    expect([...statuses].sort()).toEqual([
      '200',
      '201',
      '202',
      '204',
      '304',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '414',
      '415',
      '429',
      '503',
    ]);
    expect(gateway.paths['/projects'].post.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(gateway.paths['/auth/register'].post.requestBody.content['application/json'].schema.required).toEqual([
      'email',
      'password',
      'name',
    ]);
    expect(gateway.paths['/projects'].get.parameters.find((p: JsonObject) => p.name === 'page_size').schema).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 100,
    });
    // Every write of the gateway takes an Idempotency-Key and answers with one (docs/adr/0058); no read does.
    const key = (operation: JsonObject) => (operation.parameters ?? []).find((p: JsonObject) => p.name === 'Idempotency-Key');
    expect(key(gateway.paths['/projects'].post)).toMatchObject({ in: 'header', required: false, schema: { maxLength: 255 } });
    expect(gateway.paths['/projects'].post.responses['201'].headers).toHaveProperty('idempotency-key');
    expect(gateway.paths['/projects'].post.responses['400'].description).toContain('invalid_idempotency_key');
    expect(key(gateway.paths['/projects'].get)).toBeUndefined();
    expect(key(documents.get('project')!.document.paths['/projects'].post)).toBeUndefined();
    expect(gateway.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(gateway.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(gateway.tags.map((tag: JsonObject) => tag.name)).toEqual([
      'auth',
      'projects',
      'templates',
      'simulations',
      'exports',
      'admin',
      'dashboard',
      'service',
    ]);
  });

  /** The HTTP status of a WebSocket upgrade without a token: 101 when the path serves sockets. */
  const upgradeStatus = (port: number, path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      socket.on('open', () => {
        socket.terminate();
        resolve(101);
      });
      socket.on('unexpected-response', (_request, response) => {
        socket.terminate();
        resolve(response.statusCode ?? 0);
      });
      socket.on('error', reject);
    });

  it('describes the gateway’s WebSockets, and only there', async () => {
    const webSockets = documents.get('api-gateway')!.document['x-websockets'];
    expect(Object.keys(webSockets).sort()).toEqual([...Object.values(WebSocketPaths), COLLABORATION_PATH].sort());
    expect(webSockets[WebSocketPaths.simulationStream].parameters).toEqual([
      expect.objectContaining({ name: 'simulation_id', required: true }),
      expect.objectContaining({ name: 'last_id', required: false }),
    ]);
    expect(Object.keys(webSockets[WebSocketPaths.events]['close-codes'])).toEqual(expect.arrayContaining(['1000', '4401', '4429']));
    for (const service of ['auth', 'project', 'simulation']) expect(documents.get(service)!.document['x-websockets']).toBeUndefined();
    const { port } = documents.get('api-gateway')!;
    for (const path of Object.keys(webSockets)) expect(await upgradeStatus(port, path), path).toBe(101);
    expect(await upgradeStatus(port, '/nowhere')).toBe(404);
  });

  it('serves the document as a self-contained page: every operation, no script, its own CSP', async () => {
    const { port, document } = documents.get('api-gateway')!;
    const answer = await request(`http://127.0.0.1:${port}/docs`, { dispatcher: http });
    const page = await answer.body.text();
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['content-security-policy']).toBe(API_REFERENCE_CSP);
    expect(page).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
    for (const [path, item] of Object.entries(document.paths as JsonObject)) {
      for (const method of METHODS.filter((m) => item[m] && m !== 'head')) {
        expect(page, `${method} ${path}`).toContain(
          `<span class="method ${method.toUpperCase()}">${method.toUpperCase()}</span> <span class="path">${path}</span>`,
        );
      }
    }
    expect(page).toContain('/simulation/stream');
    expect(page).not.toMatch(/method (POST|PATCH|DELETE)">[^\n]*\(and HEAD\)/);
    // The policy's hash is the inline style's, as a browser computes it.
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(API_REFERENCE_CSP).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });
});
