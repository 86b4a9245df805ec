import type { ClientHttp2Session } from 'node:http2';
import { Agent, request, type Dispatcher } from 'undici';

/** An undici agent speaking cleartext HTTP/2 with prior knowledge (`useH2c` is not in undici's types yet). */
export const h2cAgent = (): Agent => new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: T;
}

/** One JSON request over the given dispatcher; the body of a 204 is `undefined`. */
export const jsonRequest = async <T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  dispatcher: Dispatcher,
  method: Dispatcher.HttpMethod,
  url: string,
  options: { body?: unknown; token?: string; headers?: Readonly<Record<string, string>> } = {},
): Promise<JsonResponse<T>> => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await request(url, {
    method,
    dispatcher,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
};

/** An answer read whole from a node:http2 stream. */
export interface Http2Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * One request on a node:http2 session, sent as given: any method with any body (undici's HTTP/2
 * client refuses a body on DELETE) and the path unnormalised (`%ZZ` stays `%ZZ`).
 */
export const http2Request = (
  session: ClientHttp2Session,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Http2Answer> =>
  new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, ...headers }, { endStream: body === undefined });
    let status = 0;
    let answered: Http2Answer['headers'] = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => {
      status = Number(received[':status']);
      answered = received;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = () => resolve({ status, headers: answered, text: Buffer.concat(chunks).toString('utf8') });
    stream.on('end', done);
    // A server that answered before reading the whole body (413) may reset the stream after its answer.
    stream.on('error', (error) => (status > 0 ? done() : reject(error)));
    if (body !== undefined) stream.end(body);
  });
