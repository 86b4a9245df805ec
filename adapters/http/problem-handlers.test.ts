import net from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Agent, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFailureError, failure, type FailureKind } from '../../core/shared/errors.js';
import { createHttpApp } from './fastify-app.js';
import { listenHttp } from './listen.js';

let app: FastifyInstance;
let baseUrl: string;
let port: number;
const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    callback();
  },
});
const h2c = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
const http1 = new Agent();

beforeAll(async () => {
  app = createHttpApp({ logger: pino({ level: 'info' }, logSink), bodyLimit: 1024 });
  app.get<{ Params: { kind: FailureKind } }>('/fail/:kind', async (req) => {
    throw new DomainFailureError(failure(req.params.kind, `sample_${req.params.kind}`, `A ${req.params.kind} failure.`));
  });
  app.post('/violations', async () => {
    throw new DomainFailureError(
      failure('invalid', 'weak_password', 'The password is too weak.', [{ field: 'password', message: 'too short' }]),
    );
  });
  app.post(
    '/users',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'age'],
          properties: { email: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
        },
        querystring: { type: 'object', properties: { limit: { type: 'integer' } } },
      },
    },
    async () => ({ created: true }),
  );
  app.get('/crash', async () => {
    throw new Error('connection string postgres://admin:hunter2@db leaked');
  });
  ({ url: baseUrl, port } = await listenHttp(app, { host: '127.0.0.1', port: 0 }));
});

afterAll(async () => {
  await Promise.all([h2c.close(), http1.close()]);
  await app.close();
});

const call = async (
  dispatcher: Dispatcher,
  path: string,
  options: { method?: 'GET' | 'POST'; body?: string; contentType?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> => {
  const headers = options.contentType ? { 'content-type': options.contentType } : {};
  const response = await request(`${baseUrl}${path}`, { dispatcher, method: options.method ?? 'GET', body: options.body, headers });
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
};

describe.each([
  ['HTTP/2', h2c],
  ['HTTP/1.1', http1],
])('problem responses over %s', (_protocol, dispatcher) => {
  it.each([
    ['invalid', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['rate_limited', 429],
    ['unavailable', 503],
  ] as const)('answers a thrown %s domain failure with %i', async (kind, status) => {
    const { status: received, body } = await call(dispatcher, `/fail/${kind}`);
    expect(received).toBe(status);
    expect(body).toEqual({
      type: `urn:meshwork:problem:sample_${kind}`,
      title: expect.any(String),
      status,
      detail: `A ${kind} failure.`,
      instance: `/fail/${kind}`,
    });
  });

  it('challenges an unauthenticated caller for a bearer token', async () => {
    const { headers } = await call(dispatcher, '/fail/unauthenticated');
    expect(headers['www-authenticate']).toBe('Bearer');
  });

  it('carries the field violations of a domain failure', async () => {
    const { status, body } = await call(dispatcher, '/violations', { method: 'POST' });
    expect(status).toBe(400);
    expect(body['errors']).toEqual([{ field: 'password', message: 'too short' }]);
  });

  it('lists every schema violation of the body by field', async () => {
    const { status, body } = await call(dispatcher, '/users', {
      method: 'POST',
      body: JSON.stringify({ age: -1 }),
      contentType: 'application/json',
    });
    expect(status).toBe(400);
    expect(body['type']).toBe('urn:meshwork:problem:validation_failed');
    expect(body['errors']).toEqual(
      expect.arrayContaining([
        { field: 'email', message: expect.stringContaining('email') },
        { field: 'age', message: expect.stringContaining('>= 0') },
      ]),
    );
  });

  it('names a query-string violation with its prefix', async () => {
    const { status, body } = await call(dispatcher, '/users?limit=many', {
      method: 'POST',
      body: JSON.stringify({ email: 'a@b.c', age: 3 }),
      contentType: 'application/json',
    });
    expect(status).toBe(400);
    expect(body['errors']).toEqual([{ field: 'querystring.limit', message: 'must be integer' }]);
  });

  it('answers an unknown route with 404', async () => {
    const { status, headers, body } = await call(dispatcher, '/nowhere?x=1');
    expect(status).toBe(404);
    expect(headers['x-request-id']).toEqual(expect.any(String));
    expect(body).toMatchObject({ type: 'urn:meshwork:problem:route_not_found', instance: '/nowhere' });
  });

  it("answers an undecodable URL with 400, in fastify's own words", async () => {
    const { status, headers, body } = await call(dispatcher, '/fail/%E0%A4%A');
    expect(status).toBe(400);
    expect(headers['x-request-id']).toEqual(expect.any(String));
    expect(body).toMatchObject({ type: 'urn:meshwork:problem:request_rejected', title: 'Bad Request' });
  });

  it('answers a malformed JSON body with 400', async () => {
    const { status, body } = await call(dispatcher, '/users', { method: 'POST', body: '{"email":', contentType: 'application/json' });
    expect(status).toBe(400);
    expect(body['type']).toBe('urn:meshwork:problem:malformed_body');
  });

  it('answers a body over the limit with 413', async () => {
    const big = JSON.stringify({ email: 'x'.repeat(2048), age: 1 });
    const { status, body } = await call(dispatcher, '/users', { method: 'POST', body: big, contentType: 'application/json' });
    expect(status).toBe(413);
    expect(body['type']).toBe('urn:meshwork:problem:payload_too_large');
  });

  it('answers an unsupported media type with 415', async () => {
    const { status, body } = await call(dispatcher, '/users', { method: 'POST', body: '<user/>', contentType: 'application/xml' });
    expect(status).toBe(415);
    expect(body['type']).toBe('urn:meshwork:problem:unsupported_media_type');
  });

  it('answers an unexpected error with a generic 500 that leaks nothing, and logs the error', async () => {
    const { status, headers, body } = await call(dispatcher, '/crash');
    expect(status).toBe(500);
    expect(body).toEqual({
      type: 'urn:meshwork:problem:internal',
      title: 'Internal server error',
      status: 500,
      detail: 'The request could not be completed.',
      instance: '/crash',
    });
    await expect
      .poll(() => logLines.find((line) => line['requestId'] === headers['x-request-id'] && line['level'] === 50))
      .toMatchObject({ msg: 'request failed', err: { message: expect.stringContaining('hunter2') } });
  });
});

describe('a request too broken to route', () => {
  it('still gets a 400 problem before the connection closes', async () => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('BREW /pot HTCPCP/1.0 nonsense\r\n\r\n');
    await closed;
    const [head, body] = reply.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(body!)).toMatchObject({ type: 'urn:meshwork:problem:client_error', status: 400 });
  });
});
