import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRoute } from './client-api/auth-api.js';
import { readQuery } from './client-api/common.js';
import { createProjectRoute, listProjectsRoute, type ProjectListQuery } from './client-api/project-api.js';
import { jsonDepth, MAX_JSON_DEPTH } from './client-input.js';
import { createHttpApp } from './fastify-app.js';
import { listenHttp } from './listen.js';

const logLines: { level: number }[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    callback();
  },
});
const h2c = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = createHttpApp({ logger: pino({ level: 'info' }, sink), bodyLimit: 2_000_000 });
  app.post('/auth/refresh', { schema: refreshRoute.schema }, async (req) => ({ got: req.body }));
  app.post('/projects', { schema: createProjectRoute.schema }, async (req) => ({ got: req.body }));
  app.post('/anything', async (req) => ({ got: req.body }));
  app.get('/projects', { schema: listProjectsRoute.schema }, async (req) => ({
    got: readQuery<ProjectListQuery>(req, listProjectsRoute.query),
  }));
  const bound = await listenHttp(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${bound.port}`;
});

afterAll(async () => {
  await app.close();
  await h2c.close();
});

const send = async (method: 'GET' | 'POST', path: string, body?: string) => {
  const answer = await request(`${base}${path}`, {
    dispatcher: h2c,
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  return { status: answer.statusCode, type: String(answer.headers['content-type']), body: JSON.parse(await answer.body.text()) };
};

describe('client input refused before any schema or handler', () => {
  it('measures JSON depth by scanning bytes, ignoring brackets inside strings', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":"[[[{{{"}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('"\\"[["'))).toBe(0);
    expect(jsonDepth(Buffer.from('['.repeat(1_000)))).toBe(MAX_JSON_DEPTH + 1);
  });

  it('answers a 100,000-deep body with 400, not a stack overflow', async () => {
    const deep = await send('POST', '/anything', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(deep.status).toBe(400);
    expect(deep.type).toContain('application/problem+json');
    expect(deep.body.type).toBe('urn:meshwork:problem:body_too_deep');
    expect((await send('POST', '/anything', JSON.stringify({ a: [[{ b: 1 }]] }))).status).toBe(200);
  });

  it('refuses NUL and other control characters in body strings and keys, naming the field; keeps tabs and line breaks', async () => {
    const nul = await send('POST', '/projects', JSON.stringify({ name: 'a\u0000b', configuration: { 'k\u0001': 'v', ok: 'v\u001b' } }));
    expect(nul.status).toBe(400);
    expect(nul.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'configuration.k\u0001',
      'configuration.ok',
      'name',
    ]);
    const text = await send('POST', '/projects', JSON.stringify({ name: 'plan', description: 'line one\nline two\ttabbed\r\n' }));
    expect(text.status).toBe(200);
  });

  it('refuses a line break in a single-line field by schema', async () => {
    const answer = await send('POST', '/projects', JSON.stringify({ name: 'two\nlines' }));
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].field).toBe('name');
  });

  it('refuses control characters in the query string', async () => {
    const answer = await send('GET', '/projects?status=active%00');
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].field).toBe('querystring.status');
  });

  it("refuses a prototype key as fastify's own parser did", async () => {
    expect((await send('POST', '/anything', '{"__proto__": {"admin": true}}')).status).toBe(400);
  });
});

describe('no type coercion', () => {
  it('refuses a token wrapped in an array, a number for a string and a string for a boolean', async () => {
    const wrapped = await send('POST', '/auth/refresh', JSON.stringify({ refresh_token: ['tok'] }));
    expect(wrapped.status).toBe(400);
    expect(wrapped.body.errors).toEqual([expect.objectContaining({ field: 'refresh_token' })]);
    expect((await send('POST', '/projects', JSON.stringify({ name: 12 }))).status).toBe(400);
    expect((await send('POST', '/projects', JSON.stringify({ name: 'x', is_public: 'true' }))).status).toBe(400);
  });

  it('refuses unknown body fields instead of dropping them', async () => {
    const answer = await send('POST', '/projects', JSON.stringify({ name: 'x', expected_version: 3 }));
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'expected_version' })]);
  });

  it('reads query numbers and booleans explicitly, refusing out-of-range and non-decimal numbers', async () => {
    const fine = await send('GET', '/projects?page_size=20&include_public=true');
    expect(fine.body.got).toEqual({ page_size: 20, include_public: true });
    for (const size of ['1e309', '1e2', '0x10', '-1', '0', '101', '99999999999999999', '1.5', '']) {
      const answer = await send('GET', `/projects?page_size=${size}`);
      expect(answer.status, size).toBe(400);
      expect(answer.body.errors[0].field, size).toBe('querystring.page_size');
    }
    expect((await send('GET', '/projects?include_shared=1')).status).toBe(400);
  });

  it('logs none of these client mistakes at error level', () => {
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
  });
});
