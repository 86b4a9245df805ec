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
  options: { body?: unknown; token?: string } = {},
): Promise<JsonResponse<T>> => {
  const headers: Record<string, string> = {};
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
