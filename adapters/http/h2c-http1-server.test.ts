import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { H2cHttp1Server, type H2cHttp1ServerOptions } from './h2c-http1-server.js';
import { HTTP2_PREFACE } from './http2-preface.js';

const running: H2cHttp1Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A gate holding `/slow` responses until it is opened. */
const gate = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve = (): void => {};
  const promise = new Promise<void>((opened) => (resolve = opened));
  return { promise, resolve };
};
let slow = gate();

/** A server answering every request with the protocol version it arrived over. */
const startServer = async (options: H2cHttp1ServerOptions = {}): Promise<{ server: H2cHttp1Server; port: number }> => {
  slow = gate();
  const server = new H2cHttp1Server((request, response) => {
    const answer = (): void => void response.end(`version ${request.httpVersion}`);
    if (request.url === '/slow') void slow.promise.then(answer);
    else if (request.url === '/upload') request.resume().once('end', answer);
    else answer();
  }, options);
  running.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
};

const connect = async (port: number): Promise<net.Socket> => {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
};

/** Resolves with the first `length` bytes the peer sends back. */
const firstBytes = (socket: net.Socket, length: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= length) resolve(received.subarray(0, length));
    });
    socket.once('error', reject);
  });

/** Resolves once the server has closed the connection (reading what it sent, ignoring a reset). */
const closed = (socket: net.Socket): Promise<void> =>
  new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.on('error', () => {});
    socket.resume();
  });

const http1Get = (port: number, headers: http.OutgoingHttpHeaders = {}, agent?: http.Agent, path = '/'): Promise<string> =>
  new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });

const http2Get = (session: http2.ClientHttp2Session, path = '/'): Promise<string> =>
  new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let body = '';
    stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    stream.on('end', () => resolve(body));
    stream.on('error', reject);
    stream.end();
  });

/** An empty SETTINGS frame: 9-byte header, length 0, type 0x4, no flags, stream 0. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]);

describe('H2cHttp1Server', () => {
  it('serves HTTP/1.1 and HTTP/2 with prior knowledge on the same port', async () => {
    const { port } = await startServer();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      expect(await http1Get(port)).toBe('version 1.1');
      expect(await http2Get(session)).toBe('version 2.0');
    } finally {
      session.close();
    }
  });

  it('waits for a preface that arrives in several segments', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    const reply = firstBytes(socket, 9);
    for (const piece of [HTTP2_PREFACE.subarray(0, 3), HTTP2_PREFACE.subarray(3, 17), HTTP2_PREFACE.subarray(17)]) {
      socket.write(piece);
      await sleep(30);
    }
    socket.write(EMPTY_SETTINGS);
    const frameType = (await reply)[3];
    socket.destroy();
    expect(frameType).toBe(0x04); // the server's own SETTINGS: it speaks HTTP/2
  });

  it('routes a request whose first bytes trickle in to HTTP/1.1', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    const reply = firstBytes(socket, 'HTTP/1.1 200'.length);
    socket.write('P');
    await sleep(30);
    socket.write('UT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    const statusLine = (await reply).toString('latin1');
    socket.destroy();
    expect(statusLine).toBe('HTTP/1.1 200');
  });

  it('drops a connection that sends nothing within the preface timeout', async () => {
    const { port } = await startServer({ prefaceTimeoutMs: 100 });
    const socket = await connect(port);
    await closed(socket);
    expect(socket.destroyed).toBe(true);
  });

  it('keeps serving after a client hangs up in the middle of the preface', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    socket.end(HTTP2_PREFACE.subarray(0, 10));
    await closed(socket);
    expect(await http1Get(port)).toBe('version 1.1');
  });

  it('serves an upgrade request as plain HTTP/1.1 while nobody listens for upgrades', async () => {
    const { port } = await startServer();
    expect(await http1Get(port, { connection: 'Upgrade', upgrade: 'websocket' })).toBe('version 1.1');
  });

  it('hands HTTP/1.1 upgrades to its own upgrade listeners', async () => {
    const { server, port } = await startServer();
    server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket) => {
      socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${request.headers.upgrade}\r\nConnection: Upgrade\r\n\r\n`);
    });
    const socket = await connect(port);
    const reply = firstBytes(socket, 'HTTP/1.1 101'.length);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    expect((await reply).toString('latin1')).toBe('HTTP/1.1 101');
    socket.destroy();
  });

  it('closes while an HTTP/2 session, an HTTP/1.1 keep-alive and a silent connection are open', async () => {
    const { server, port } = await startServer({ prefaceTimeoutMs: 60_000 });
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const keepAlive = new http.Agent({ keepAlive: true });
    await http2Get(session);
    await http1Get(port, {}, keepAlive);
    const silent = await connect(port);
    const everyClientClosed = Promise.all([closed(silent), new Promise((resolve) => session.once('close', resolve))]);

    await new Promise((resolve) => server.close(resolve)); // timeouts are 60 s and more: resolving means all closed

    await everyClientClosed;
    await expect.poll(() => Object.values(keepAlive.freeSockets).flat().length).toBe(0);
    expect(server.listening).toBe(false);
    keepAlive.destroy();
  });

  it('lets requests in flight at close finish, then closes their connections', async () => {
    const { server, port } = await startServer();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const keepAlive = new http.Agent({ keepAlive: true });
    const overH2 = http2Get(session, '/slow');
    const overH1 = http1Get(port, {}, keepAlive, '/slow');
    await expect.poll(() => new Promise((resolve) => server.getConnections((_error, count) => resolve(count)))).toBe(2);

    const serverClosed = new Promise((resolve) => server.close(resolve));
    slow.resolve();

    expect(await Promise.all([overH2, overH1])).toEqual(['version 2.0', 'version 1.1']);
    await serverClosed; // keep-alive and session timeouts are 72 s: resolving means both were closed
    expect(server.listening).toBe(false);
    keepAlive.destroy();
  });

  it('survives a connection reset while sniffing and garbage after the preface', async () => {
    const { port } = await startServer();
    const reset = await connect(port);
    reset.write('GE');
    reset.resetAndDestroy();
    const garbage = await connect(port);
    garbage.write(Buffer.concat([HTTP2_PREFACE, Buffer.from('this is not a frame at all')]));
    await closed(garbage);
    expect(await http1Get(port)).toBe('version 1.1');
  });

  describe('slow clients and many connections', () => {
    const LIMIT_MS = 600;
    /** Bytes sent one every `everyMs` until the socket closes; resolves with what the server answered and when, from the start. */
    const trickle = async (socket: net.Socket, head: Buffer | string, drip: string, everyMs: number) => {
      const started = Date.now();
      let answer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => (answer = Buffer.concat([answer, chunk])));
      socket.on('error', () => {});
      socket.write(head);
      const dripping = setInterval(() => {
        if (socket.writable) socket.write(drip);
      }, everyMs);
      await new Promise((resolve) => socket.once('close', resolve));
      clearInterval(dripping);
      return { answer: answer.toString('latin1'), afterMs: Date.now() - started };
    };

    it('answers 408 and closes an HTTP/1.1 request whose body trickles in past the request timeout', async () => {
      const { port } = await startServer({ requestTimeoutMs: LIMIT_MS, headersTimeoutMs: LIMIT_MS });
      const socket = await connect(port);

      const { answer, afterMs } = await trickle(socket, 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n', 'x', 100);

      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(afterMs).toBeLessThan(LIMIT_MS * 3);
    });

    it('answers 408 to HTTP/1.1 headers that trickle in past the headers timeout', async () => {
      const { port } = await startServer({ requestTimeoutMs: 5_000, headersTimeoutMs: LIMIT_MS });
      const socket = await connect(port);

      const { answer, afterMs } = await trickle(socket, 'GET / HTTP/1.1\r\nHost: x\r\n', 'X-Slow: y\r\n', 100);

      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(afterMs).toBeLessThan(LIMIT_MS * 3);
    });

    it('answers 408 problem+json on an HTTP/2 stream whose body trickles in, and keeps the session', async () => {
      const { port } = await startServer({ requestTimeoutMs: LIMIT_MS });
      const session = http2.connect(`http://127.0.0.1:${port}`);
      try {
        const started = Date.now();
        const stream = session.request({ ':method': 'POST', ':path': '/upload' });
        const dripping = setInterval(() => stream.write('x'), 100);
        const [headers, body] = await new Promise<[http2.IncomingHttpHeaders, string]>((resolve, reject) => {
          let received = '';
          let head: http2.IncomingHttpHeaders = {};
          stream.on('response', (answered) => (head = answered));
          stream.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
          stream.on('end', () => resolve([head, received]));
          stream.on('error', reject);
        });
        clearInterval(dripping);
        stream.destroy(); // the server reset its side (NO_ERROR); ours must be dropped, or the session waits for it

        expect(headers[':status']).toBe(408);
        expect(headers['content-type']).toBe('application/problem+json');
        expect(JSON.parse(body)).toMatchObject({ status: 408, type: 'urn:meshwork:problem:request_timeout' });
        expect(Date.now() - started).toBeLessThan(LIMIT_MS * 3);
        expect(await http2Get(session)).toBe('version 2.0'); // the session itself is still served
      } finally {
        session.close();
      }
    });

    it('drops a connection whose HTTP/2 preface trickles in past the preface timeout', async () => {
      const { port } = await startServer({ prefaceTimeoutMs: LIMIT_MS });
      const socket = await connect(port);
      let sent = 0;
      const started = Date.now();
      const dripping = setInterval(() => {
        if (socket.writable && sent < HTTP2_PREFACE.length - 1) socket.write(HTTP2_PREFACE.subarray(sent, (sent += 1)));
      }, 50);

      await closed(socket);
      clearInterval(dripping);

      expect(sent).toBeLessThan(HTTP2_PREFACE.length - 1);
      expect(Date.now() - started).toBeLessThan(LIMIT_MS * 3);
    });

    it('serves a body sent at a normal pace, and a keep-alive connection idle longer than the request timeout', async () => {
      const { port } = await startServer({ requestTimeoutMs: LIMIT_MS, headersTimeoutMs: LIMIT_MS });
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(await http1Get(port, {}, keepAlive)).toBe('version 1.1');
        await sleep(LIMIT_MS * 2);
        expect(await http1Get(port, {}, keepAlive)).toBe('version 1.1');
      } finally {
        keepAlive.destroy();
      }
    });

    it('keeps an upgraded connection open past the request timeout', async () => {
      const { server, port } = await startServer({ requestTimeoutMs: LIMIT_MS, headersTimeoutMs: LIMIT_MS });
      server.on('upgrade', (_request: http.IncomingMessage, upgraded: net.Socket) => {
        upgraded.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
        upgraded.pipe(upgraded);
      });
      const socket = await connect(port);
      const switched = firstBytes(socket, 'HTTP/1.1 101'.length);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      await switched;
      await sleep(LIMIT_MS * 3);

      const echoed = new Promise<string>((resolve) => socket.on('data', (chunk: Buffer) => chunk.includes('ping') && resolve('ping')));
      socket.write('ping');

      expect(await echoed).toBe('ping');
      expect(socket.destroyed).toBe(false);
      socket.destroy();
    });

    it('closes at once a connection past the per-address cap, and admits one again when another closes', async () => {
      const { server, port } = await startServer({ maxConnectionsPerAddress: 3 });
      const held = [await connect(port), await connect(port), await connect(port)];
      await expect.poll(() => new Promise((resolve) => server.getConnections((_error, count) => resolve(count)))).toBe(3);

      const extra = await connect(port);
      const started = Date.now();
      await closed(extra);
      expect(Date.now() - started).toBeLessThan(1_000);

      held[0]?.destroy();
      await expect.poll(() => new Promise((resolve) => server.getConnections((_error, count) => resolve(count)))).toBe(2);
      expect(await http1Get(port, { connection: 'close' })).toBe('version 1.1');
      for (const socket of held) socket.destroy();
    });
  });
});
