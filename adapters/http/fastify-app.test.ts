import { execFile } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Logger } from '../observability/logger.js';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createHttpApp } from './fastify-app.js';
import { listenHttp, type BoundAddress } from './listen.js';

const run = promisify(execFile);

/** A logger whose JSON lines the test can read. */
const capturingLogger = (): { logger: Logger; lines: Record<string, unknown>[] } => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
};

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

const startApp = async (logger = capturingLogger().logger): Promise<{ app: FastifyInstance; address: BoundAddress }> => {
  const app = createHttpApp({ logger });
  app.get('/protocol', async (req) => ({ httpVersion: req.raw.httpVersion }));
  open.push(app);
  return { app, address: await listenHttp(app, { host: '127.0.0.1', port: 0 }) };
};

/** undici reads `useH2c` from the connect options; its type declarations do not list it yet. */
const h2cAgent = (): Agent => new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });

const http1Get = (url: string, agent?: http.Agent): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      })
      .on('error', reject);
  });

const http2Get = (session: http2.ClientHttp2Session, path: string): Promise<{ headers: http2.IncomingHttpHeaders; body: string }> =>
  new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let headers: http2.IncomingHttpHeaders = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (received) => (headers = received));
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ headers, body }));
    stream.on('error', reject);
    stream.end();
  });

describe('the HTTP app on one port', () => {
  it('binds an ephemeral port when asked for port 0', async () => {
    const { address } = await startApp();
    expect(address.port).toBeGreaterThan(0);
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`);
  });

  it('answers HTTP/2 with prior knowledge from an undici h2c agent', async () => {
    const { address } = await startApp();
    const agent = h2cAgent();
    try {
      const response = await request(`${address.url}/protocol`, { dispatcher: agent });
      expect(await response.body.json()).toEqual({ httpVersion: '2.0' });
    } finally {
      await agent.close();
    }
  });

  it('answers HTTP/2 from a node:http2 client', async () => {
    const { address } = await startApp();
    const session = http2.connect(address.url);
    try {
      const response = await http2Get(session, '/protocol');
      expect(response.headers[':status']).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ httpVersion: '2.0' });
    } finally {
      session.close();
    }
  });

  it('answers curl --http2-prior-knowledge over HTTP/2', async () => {
    const { address } = await startApp();
    const { stdout } = await run('curl', ['--http2-prior-knowledge', '-sS', '--max-time', '10', `${address.url}/protocol`]);
    expect(JSON.parse(stdout)).toEqual({ httpVersion: '2.0' });
  });

  it('answers HTTP/1.1 from node:http and from undici by default', async () => {
    const { address } = await startApp();
    const fromNode = await http1Get(`${address.url}/protocol`);
    const fromUndici = await request(`${address.url}/protocol`);
    expect(JSON.parse(fromNode.body)).toEqual({ httpVersion: '1.1' });
    expect(await fromUndici.body.json()).toEqual({ httpVersion: '1.1' });
  });

  it('serves curl --http2 (an h2c upgrade offer) over HTTP/1.1', async () => {
    const { address } = await startApp();
    const { stdout } = await run('curl', ['--http2', '-sS', '--max-time', '10', `${address.url}/protocol`]);
    expect(JSON.parse(stdout)).toEqual({ httpVersion: '1.1' });
  });

  it('completes a WebSocket upgrade on the same port', async () => {
    const { app, address } = await startApp();
    const sockets = new WebSocketServer({ noServer: true });
    app.server.on('upgrade', (req, socket, head) => {
      sockets.handleUpgrade(req, socket, head, (ws) => ws.send('welcome'));
    });
    const client = new WebSocket(`ws://127.0.0.1:${address.port}/live`);
    try {
      const first = await new Promise<string>((resolve, reject) => {
        client.once('message', (data: Buffer) => resolve(data.toString('utf8')));
        client.once('error', reject);
      });
      expect(first).toBe('welcome');
    } finally {
      client.terminate();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
    }
  });

  it('echoes a sane x-request-id and logs one line per request under it, for both protocols', async () => {
    const { logger, lines } = capturingLogger();
    const { address } = await startApp(logger);
    const agent = h2cAgent();
    try {
      const overH2 = await request(`${address.url}/protocol`, { dispatcher: agent, headers: { 'x-request-id': 'trace-h2.1' } });
      const overH1 = await request(`${address.url}/protocol`, { headers: { 'x-request-id': 'trace-h1.1' } });
      await Promise.all([overH2.body.dump(), overH1.body.dump()]);
      expect(overH2.headers['x-request-id']).toBe('trace-h2.1');
      expect(overH1.headers['x-request-id']).toBe('trace-h1.1');
      await expect.poll(() => lines.filter((line) => line['msg'] === 'request completed').length).toBe(2);
      const completed = lines.filter((line) => line['msg'] === 'request completed');
      expect(completed).toEqual([
        expect.objectContaining({ requestId: 'trace-h2.1', httpVersion: '2.0', statusCode: 200, url: '/protocol' }),
        expect.objectContaining({ requestId: 'trace-h1.1', httpVersion: '1.1', statusCode: 200, url: '/protocol' }),
      ]);
      expect(lines.filter((line) => line['requestId'] === 'trace-h1.1')).toHaveLength(1);
    } finally {
      await agent.close();
    }
  });

  it('replaces an unsafe x-request-id with the trace id of the request', async () => {
    const { address } = await startApp();
    const response = await request(`${address.url}/protocol`, { headers: { 'x-request-id': 'a b<script>' } });
    await response.body.dump();
    const id = String(response.headers['x-request-id']);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers['traceparent']).toMatch(new RegExp(`^00-${id}-[0-9a-f]{16}-01$`));
  });

  it('closes promptly while an HTTP/2 session and an HTTP/1.1 keep-alive connection are open', async () => {
    const { app, address } = await startApp();
    const session = http2.connect(address.url);
    const keepAlive = new http.Agent({ keepAlive: true });
    await http2Get(session, '/protocol');
    await http1Get(`${address.url}/protocol`, keepAlive);
    const sessionClosed = new Promise<void>((resolve) => session.once('close', resolve));
    expect(Object.values(keepAlive.freeSockets).flat()).toHaveLength(1);

    await app.close(); // keep-alive and session timeouts are 72 s: resolving means both were closed

    await sessionClosed;
    await expect.poll(() => Object.values(keepAlive.freeSockets).flat().length).toBe(0);
    keepAlive.destroy();
  });

  it('answers a JSON body trickled past the request timeout 408 problem+json on both protocols, logging no error', async () => {
    const { logger, lines } = capturingLogger();
    const app = createHttpApp({ logger, server: { requestTimeoutMs: 500, headersTimeoutMs: 500 } });
    app.post('/echo', async (request) => request.body);
    open.push(app);
    const { port } = await listenHttp(app, { host: '127.0.0.1', port: 0 });

    const overHttp1 = new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
      });
      const dripping = setInterval(() => socket.writable && socket.write(' '), 100);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(dripping);
        resolve(answer);
      });
    });
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const overHttp2 = new Promise<{ status: unknown; body: string }>((resolve) => {
      const stream = session.request({ ':method': 'POST', ':path': '/echo', 'content-type': 'application/json' });
      stream.write('{');
      const dripping = setInterval(() => stream.writable && stream.write(' '), 100);
      let status: unknown;
      let body = '';
      stream.on('response', (headers) => (status = headers[':status']));
      stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      stream.on('error', () => {});
      // The whole answer is the outcome; a client that goes on sending after it keeps only its own end of the stream.
      stream.on('end', () => {
        clearInterval(dripping);
        // The server reset its side (NO_ERROR); our side must be dropped, or the session waits for it.
        stream.destroy();
        resolve({ status, body });
      });
    });

    const [http1Answer, http2Answer] = await Promise.all([overHttp1, overHttp2]);
    session.close();

    expect(http1Answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\nContent-Type: application\/problem\+json/);
    expect(http1Answer).toContain('"status":408');
    expect(http2Answer.status).toBe(408);
    expect(JSON.parse(http2Answer.body)).toMatchObject({ status: 408, type: 'urn:meshwork:problem:request_timeout' });
    await sleep(200);
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});
