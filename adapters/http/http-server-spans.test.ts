import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testLogger } from '../../test-support/test-logger.js';
import { currentScope } from '../observability/trace-context-scope.js';
import { createHttpApp } from './fastify-app.js';
import { listenHttp } from './listen.js';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

describe('server spans of HTTP requests', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let app: FastifyInstance;
  let url: string;
  const agent = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });

  beforeAll(async () => {
    app = createHttpApp({ logger: testLogger('http-spans'), tracer: provider.getTracer('test') });
    app.get('/items/:id', async (req) => ({ id: (req.params as { id: string }).id, scope: currentScope()?.trace }));
    app.get('/broken', async () => {
      throw new Error('handler fault');
    });
    url = (await listenHttp(app, { host: '127.0.0.1', port: 0 })).url;
  });

  afterAll(async () => {
    await agent.close();
    await app.close();
    await provider.shutdown();
  });

  beforeEach(() => exporter.reset());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await request(`${url}${path}`, { dispatcher: agent, headers });
    return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
  };

  /** The span of the last request, once its response hook ended it. */
  const lastSpan = async () => {
    await expect.poll(() => exporter.getFinishedSpans().length).toBeGreaterThan(0);
    return exporter.getFinishedSpans().at(-1)!;
  };

  it("continues the client's trace, is named by the route, and is the handler's scope", async () => {
    const answer = await get('/items/42?fields=all', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, 'user-agent': 'spec/1' });
    const span = await lastSpan();
    expect(span.name).toBe('GET /items/:id');
    expect(span.kind).toBe(1); // SERVER
    expect(span.spanContext().traceId).toBe(CLIENT_TRACE);
    expect(span.parentSpanContext).toMatchObject({ spanId: CLIENT_SPAN, isRemote: true });
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'http.response.status_code': 200,
      'url.path': '/items/42',
      'url.scheme': 'http',
      'network.protocol.version': '2',
      'user_agent.original': 'spec/1',
      'client.address': '127.0.0.1',
    });
    expect(span.attributes['server.port']).toEqual(expect.any(Number));
    expect(span.status.code).toBe(0); // UNSET
    // The handler ran in the span, and the response names it.
    expect(answer.body.scope).toEqual({ traceId: CLIENT_TRACE, spanId: span.spanContext().spanId, flags: '01' });
    expect(answer.headers['traceparent']).toBe(`00-${CLIENT_TRACE}-${span.spanContext().spanId}-01`);
  });

  it('fails the span of a 5xx, not of a 4xx; an unmatched route keeps the method as its name', async () => {
    expect((await get('/broken')).status).toBe(500);
    const broken = await lastSpan();
    expect(broken.status.code).toBe(2); // ERROR
    expect(broken.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });

    exporter.reset();
    expect((await get('/nowhere')).status).toBe(404);
    const missing = await lastSpan();
    expect(missing.name).toBe('GET');
    expect(missing.status.code).toBe(0);
    expect(missing.attributes['http.route']).toBeUndefined();
  });

  it('follows the sampler: an unsampled caller gets an unsampled, unrecorded span', async () => {
    const answer = await get('/items/7', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` });
    expect(answer.headers['traceparent']).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-00$`));
    await get('/items/8'); // a recorded one after it, so the wait below has something to see
    await lastSpan();
    expect(exporter.getFinishedSpans().map((span) => span.attributes['url.path'])).toEqual(['/items/8']);
  });
});
