import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { currentTrace } from '../observability/trace-context-scope.js';
import { createHttpApp } from './fastify-app.js';
import { listenHttp } from './listen.js';
import { requestIdFrom } from './request-id.js';

const generated = (): string => 'generated-id';

describe('requestIdFrom', () => {
  it('keeps a caller-supplied id made of safe characters', () => {
    expect(requestIdFrom('7f3c2a10-gw.01:trace_9', generated)).toBe('7f3c2a10-gw.01:trace_9');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with spaces', 'a b'],
    ['with markup', '<script>'],
    ['with a line break', 'a\r\nset-cookie: x'],
    ['too long', 'x'.repeat(129)],
  ])('generates a fresh id when the header is %s', (_case, header) => {
    expect(requestIdFrom(header, generated)).toBe('generated-id');
  });

  it('generates a fresh id when the header was sent twice', () => {
    expect(requestIdFrom(['a', 'b'], generated)).toBe('generated-id');
  });

  it('generates UUIDs by default', () => {
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('requests in their trace', () => {
  const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const CLIENT_SPAN = '00f067aa0ba902b7';
  let app: FastifyInstance;
  let url: string;
  let agent: Agent;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    app = createHttpApp({ logger: createLogger('http-test', 'info', sink) });
    app.post('/echo', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      request.log.info('handling');
      return { trace: currentTrace(), body: request.body };
    });
    url = (await listenHttp(app, { host: '127.0.0.1', port: 0 })).url;
    agent = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
  });

  afterAll(async () => {
    await agent.close();
    await app.close();
  });

  const post = async (headers: Record<string, string>) => {
    const response = await request(`${url}/echo`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ hello: 'world' }),
    });
    const body = (await response.body.json()) as { trace: { traceId: string; spanId: string } };
    return { headers: response.headers, body, requestId: String(response.headers['x-request-id']) };
  };

  it("continues the caller's trace over HTTP/2: handler, log lines, response header, request id", async () => {
    const { headers, body, requestId } = await post({ traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` });

    expect(body.trace.traceId).toBe(CLIENT_TRACE);
    expect(body.trace.spanId).not.toBe(CLIENT_SPAN);
    expect(headers['traceparent']).toBe(`00-${CLIENT_TRACE}-${body.trace.spanId}-01`);
    expect(requestId).toBe(CLIENT_TRACE);
    const mine = lines.filter((line) => line['requestId'] === requestId);
    expect(mine.map((line) => [line['msg'], line['trace_id']])).toEqual([
      ['handling', CLIENT_TRACE],
      ['request completed', CLIENT_TRACE],
    ]);
  });

  it('starts a trace when the caller sent none or an invalid one, keeping a sane x-request-id', async () => {
    const fresh = await post({ 'x-request-id': 'client-chosen-1' });
    const invalid = await post({ traceparent: `00-${'0'.repeat(32)}-${CLIENT_SPAN}-01` });

    expect(fresh.requestId).toBe('client-chosen-1');
    expect(fresh.body.trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.headers['traceparent']).toBe(`00-${fresh.body.trace.traceId}-${fresh.body.trace.spanId}-01`);
    expect(invalid.body.trace.traceId).not.toBe('0'.repeat(32));
    expect(invalid.requestId).toBe(invalid.body.trace.traceId);
    expect(lines.find((line) => line['requestId'] === 'client-chosen-1' && line['msg'] === 'handling')?.['trace_id']).toBe(
      fresh.body.trace.traceId,
    );
  });
});
