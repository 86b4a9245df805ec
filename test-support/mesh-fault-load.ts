import type { Dispatcher } from 'undici';
import { connectSocket, type TestSocket } from '../contract-tests/gateway/ws-client.js';
import { jsonRequest } from '../contract-tests/support/http2-client.js';

/** The client calls of the mixed load, each on its own part of Redis. */
export type CallKind = 'login' | 'register' | 'project-write' | 'report';

/** One call of the load: when it started and ended (epoch ms) and its HTTP status (0: no answer). */
export interface CallSample {
  readonly kind: CallKind;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
}

export interface MixedLoadOptions {
  /** The gateway's HTTP URL, e.g. `http://127.0.0.1:8001`. */
  readonly base: string;
  readonly http: Dispatcher;
  /** Simulations streaming at the same time, each watched over a WebSocket. Default 4. */
  readonly simulations?: number;
  /** Concurrent project writers, each creating or renaming a project every 400 ms. Default 4. */
  readonly writers?: number;
}

/**
 * The load of issue 14 through the gateway: a login every 500 ms, a registration (a welcome-email
 * job) every second, a report request (a job on `async:reports:queue`) every 2 s, project writers
 * (an event each), and simulations streaming to WebSocket watchers. Open loop: a stalled mesh
 * makes calls pile up instead of slowing the load down.
 */
export interface MixedLoad {
  readonly samples: readonly CallSample[];
  /** Emails registered, with the time each registration was answered 201. */
  readonly registered: ReadonlyMap<string, number>;
  /** Times (epoch ms) at which each watcher received a simulation sample. */
  readonly streamArrivals: readonly (readonly number[])[];
  /** A report requested now, resolved with the time it was ready (polled every 50 ms), or rejected after `timeoutMs`. */
  reportReady(timeoutMs: number): Promise<number>;
  /** Stops sending, waits for every call in flight, closes the watchers. */
  stop(): Promise<void>;
}

interface User {
  readonly email: string;
  readonly token: string;
}

const password = 'correct horse battery';
let emails = 0;
const freshEmail = (): string => `fault-${process.pid}-${(emails += 1)}-${Date.now()}@example.test`;

const checked = async (what: string, status: number, expected: number[], body: unknown): Promise<void> => {
  if (!expected.includes(status)) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
};

/** Registers and logs in a user; throws unless both succeed. */
const aUser = async (http: Dispatcher, base: string): Promise<User> => {
  const email = freshEmail();
  const registered = await jsonRequest(http, 'POST', `${base}/auth/register`, { body: { email, password, name: 'Fault' } });
  await checked('register', registered.status, [201], registered.body);
  const login = await jsonRequest(http, 'POST', `${base}/auth/login`, { body: { email, password } });
  await checked('login', login.status, [200], login.body);
  return { email, token: login.body.access_token as string };
};

const createProject = async (http: Dispatcher, base: string, user: User, name: string): Promise<string> => {
  const created = await jsonRequest(http, 'POST', `${base}/projects`, { token: user.token, body: { name } });
  await checked('create project', created.status, [201], created.body);
  return created.body.project_id as string;
};

export const startMixedLoad = async ({ base, http, simulations = 4, writers = 4 }: MixedLoadOptions): Promise<MixedLoad> => {
  const user = await aUser(http, base);
  const projectIds = await Promise.all(Array.from({ length: writers }, (_, i) => createProject(http, base, user, `writer ${i}`)));
  const watchers: TestSocket[] = [];
  const streamArrivals: number[][] = [];
  for (let i = 0; i < simulations; i += 1) {
    const started = await jsonRequest(http, 'POST', `${base}/simulations`, {
      token: user.token,
      body: { project_id: projectIds[i % writers], duration_seconds: 3_600 },
    });
    await checked('start simulation', started.status, [201, 202], started.body);
    const arrivals: number[] = [];
    streamArrivals.push(arrivals);
    const socket = connectSocket(`${base.replace(/^http/, 'ws')}/simulation/stream?simulation_id=${started.body.simulation_id}`, [
      'bearer',
      user.token,
    ]);
    socket.ws.on('message', (data) => {
      if (String(data).includes('"simulation_metrics"')) arrivals.push(Date.now());
    });
    await socket.opened;
    watchers.push(socket);
  }

  const samples: CallSample[] = [];
  const registered = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const call = (kind: CallKind, send: () => Promise<number>): void => {
    const startedAt = Date.now();
    const done: Promise<void> = send()
      .catch(() => 0)
      .then((status) => {
        samples.push({ kind, startedAt, endedAt: Date.now(), status });
        inFlight.delete(done);
      });
    inFlight.add(done);
  };
  const status = async (method: Dispatcher.HttpMethod, path: string, body?: unknown, token?: string): Promise<number> =>
    (await jsonRequest(http, method, `${base}${path}`, { ...(body !== undefined && { body }), ...(token !== undefined && { token }) }))
      .status;

  let writes = 0;
  const timers = [
    setInterval(() => call('login', () => status('POST', '/auth/login', { email: user.email, password })), 500),
    setInterval(() => {
      const email = freshEmail();
      call('register', async () => {
        const answered = await status('POST', '/auth/register', { email, password, name: 'Fault' });
        if (answered === 201) registered.set(email, Date.now());
        return answered;
      });
    }, 1_000),
    setInterval(() => call('report', () => status('POST', `/projects/${projectIds[0]}/reports`, {}, user.token)), 2_000),
    setInterval(() => {
      for (const projectId of projectIds) {
        writes += 1;
        const write = writes;
        call('project-write', () =>
          write % 2 === 0
            ? status('POST', '/projects', { name: `project ${write}` }, user.token)
            : status('PATCH', `/projects/${projectId}`, { name: `renamed ${write}` }, user.token),
        );
      }
    }, 400),
  ];

  return {
    samples,
    registered,
    streamArrivals,
    reportReady: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      const seen: string[] = [];
      const within = <T>(request: Promise<T>): Promise<T | undefined> =>
        Promise.race([
          request.catch(() => undefined),
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))),
        ]);
      while (Date.now() <= deadline) {
        const requested = await within(
          jsonRequest(http, 'POST', `${base}/projects/${projectIds[0]}/reports`, { token: user.token, body: {} }),
        );
        seen.push(`POST ${requested?.status ?? 'no answer'}`);
        if (requested?.status !== 202) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const location = String(requested.headers.location);
        while (Date.now() <= deadline) {
          const polled = await within(jsonRequest(http, 'GET', `${base}${location}`, { token: user.token }));
          if (seen.at(-1) !== `GET ${polled?.status}`) seen.push(`GET ${polled?.status ?? 'no answer'}`);
          if (polled?.status === 200) return Date.now();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      throw new Error(`no report ready within ${timeoutMs} ms (${seen.join(', ')})`);
    },
    stop: async () => {
      timers.forEach(clearInterval);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await Promise.all(watchers.map((socket) => socket.close()));
    },
  };
};
