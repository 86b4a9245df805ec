import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFailureError } from '../../../core/shared/errors.js';
import { HttpForwarder } from './http-forwarder.js';

/** A service port that answers after `?after=` ms. */
const slowService = async (): Promise<{ server: Http2Server; target: string }> => {
  const server = createServer((request, response) => {
    const after = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('after') ?? 0);
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), after);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, target: `127.0.0.1:${(server.address() as AddressInfo).port}` };
};

describe('HttpForwarder deadlines', () => {
  let service: Awaited<ReturnType<typeof slowService>>;
  let app: FastifyInstance;
  const agent = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
  const forwarder = new HttpForwarder(agent, { default: 3_000, auth: 600 });

  beforeAll(async () => {
    service = await slowService();
    app = Fastify();
    app.get<{ Params: { service: string }; Querystring: { after: string } }>('/:service', async (request, reply) => {
      const started = Date.now();
      try {
        await forwarder.forward(request, reply, { service: request.params.service, target: service.target, path: request.url });
        return reply;
      } catch (error) {
        return reply.code(503).send({ unavailable: error instanceof DomainFailureError, afterMs: Date.now() - started });
      }
    });
  });

  afterAll(async () => {
    await app.close();
    await agent.close();
    service.server.close();
  });

  it("gives each service the gateway's deadline of its calls to it, and the longest to a service without one", async () => {
    const toAuth = await app.inject({ method: 'GET', url: '/auth?after=1200' });
    expect(toAuth.statusCode).toBe(503);
    expect(toAuth.json()).toMatchObject({ unavailable: true });
    expect(toAuth.json().afterMs).toBeLessThan(1_100);

    const toProject = await app.inject({ method: 'GET', url: '/project?after=1200' });
    expect([toProject.statusCode, toProject.json()]).toEqual([200, { ok: true }]);
  });
});
