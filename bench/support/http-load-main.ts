/**
 * The load generator of the shape benchmarks, in a process of its own so that its CPU is not the
 * servers' (undici over h2c, one HTTP/2 session per origin):
 *   node --import tsx bench/support/http-load-main.ts
 * Reads one JSON command per line on stdin, answers one JSON line on stdout:
 *   {"mode":"closed","concurrency":16,"durationMs":1500,"request":{...}} -> {"latencies":[...],"failed":n,"elapsedMs":t}
 *   {"mode":"open","perSecond":1000,"durationMs":1500,"request":{...}}   -> the same
 * A request is {"origin","origins"?,"method","paths":[...],"body"?,"bodies"?,"token"?}: the paths are used in
 * turn, and so are the origins (a client spread over several gateways) and the bodies (e.g. several
 * accounts logging in) when several are given.
 * `{n}` in a path or in the JSON body is replaced by a counter, so that writes do not collide.
 */
import { createInterface } from 'node:readline';
import { Agent } from 'undici';

interface LoadRequest {
  readonly origin: string;
  /** When given, used in turn instead of `origin`: one HTTP/2 session to each. */
  readonly origins?: readonly string[];
  readonly method: 'GET' | 'POST';
  readonly paths: readonly string[];
  readonly body?: unknown;
  /** When given, used in turn instead of `body`. */
  readonly bodies?: readonly unknown[];
  readonly token?: string;
  /** The status a successful answer has. */
  readonly status: number;
}

type Command =
  | { readonly mode: 'closed'; readonly concurrency: number; readonly durationMs: number; readonly request: LoadRequest }
  | { readonly mode: 'open'; readonly perSecond: number; readonly durationMs: number; readonly request: LoadRequest };

// A call unanswered after 10 s counts as failed instead of holding the phase forever.
const agent = new Agent({
  allowH2: true,
  connect: { useH2c: true } as Agent.Options['connect'],
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
});
let counter = 0;
/** Which origin the next call of a request with several goes to (its own count, so paths and origins do not move in step). */
let turn = 0;
const originOf = (request: LoadRequest): string => {
  if (request.origins === undefined || request.origins.length === 0) return request.origin;
  turn += 1;
  return request.origins[turn % request.origins.length]!;
};
/** Why calls failed (status code or error code) in the current command, for the scenario's notes. */
let failures: Record<string, number> = {};
const fail = (why: string) => {
  failures[why] = (failures[why] ?? 0) + 1;
  return undefined;
};

/** One call: its latency in ms, or undefined when it failed. */
const call = async (request: LoadRequest): Promise<number | undefined> => {
  counter += 1;
  const path = request.paths[counter % request.paths.length]!.replaceAll('{n}', String(counter));
  const template = request.bodies?.length ? request.bodies[counter % request.bodies.length] : request.body;
  const body = template === undefined ? undefined : JSON.stringify(template).replaceAll('{n}', String(counter));
  const started = performance.now();
  try {
    const response = await agent.request({
      origin: originOf(request),
      method: request.method,
      path,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(request.token && { authorization: `Bearer ${request.token}` }),
      },
      ...(body !== undefined && { body }),
    });
    await response.body.text();
    return response.statusCode === request.status ? performance.now() - started : fail(`HTTP ${response.statusCode}`);
  } catch (error) {
    return fail((error as { code?: string }).code ?? String(error));
  }
};

const run = async (command: Command) => {
  const latencies: number[] = [];
  failures = {};
  let failed = 0;
  const record = (latency: number | undefined) => {
    if (latency === undefined) failed += 1;
    else latencies.push(latency);
  };
  const started = performance.now();
  if (command.mode === 'closed') {
    const until = started + command.durationMs;
    await Promise.all(
      Array.from({ length: command.concurrency }, async () => {
        while (performance.now() < until) record(await call(command.request));
      }),
    );
  } else {
    // Sends what is due every millisecond or so, without waiting for answers (open loop).
    const total = Math.floor((command.durationMs * command.perSecond) / 1000);
    const pending: Promise<void>[] = [];
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * command.perSecond) / 1000));
      for (; sent < due; sent += 1) pending.push(call(command.request).then(record));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
  }
  return { latencies, failed, failures, elapsedMs: performance.now() - started };
};

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const answer = await run(JSON.parse(line) as Command);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
await agent.close();
