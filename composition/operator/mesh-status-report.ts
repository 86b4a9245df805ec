import type { MeshStatus } from '../../adapters/http/dashboard/mesh-status.js';

/** A failure the operator can act on: printed as is, exit code 1. */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

export interface StatusRequest {
  /** The gateway's HTTP base URL, e.g. http://127.0.0.1:8001. */
  readonly url: string;
  /** A signed-in user's access token (`POST /auth/login`). */
  readonly token: string;
  readonly timeoutMs?: number;
}

const reach = async (url: string, init: RequestInit, timeoutMs: number): Promise<Response> => {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new OperatorError(
      `no mesh answers at ${new URL(url).origin} (${cause}). Start one with \`npm start\`, or point at it with --url.`,
    );
  }
};

const problemOf = async (response: Response): Promise<string> => {
  const body = (await response.json().catch(() => undefined)) as { title?: string; detail?: string } | undefined;
  return [body?.title, body?.detail].filter((part) => part !== undefined).join(': ') || response.statusText;
};

/** Logs in through the gateway (`POST /auth/login`) and returns the access token. */
export const logIn = async (url: string, email: string, password: string, timeoutMs = 10_000): Promise<string> => {
  const response = await reach(
    `${url}/auth/login`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) },
    timeoutMs,
  );
  if (response.status !== 200) throw new OperatorError(`login refused (${response.status} ${await problemOf(response)})`);
  return ((await response.json()) as { access_token: string }).access_token;
};

/** The gateway's `GET /mesh/status`: instances with health, pools and breakers as that gateway sees them. */
export const fetchMeshStatus = async ({ url, token, timeoutMs = 10_000 }: StatusRequest): Promise<MeshStatus> => {
  const response = await reach(`${url}/mesh/status`, { headers: { authorization: `Bearer ${token}` } }, timeoutMs);
  if (response.status === 401)
    throw new OperatorError(`the gateway at ${url} refused the token (401 ${await problemOf(response)}); log in again`);
  if (response.status !== 200) throw new OperatorError(`GET ${url}/mesh/status answered ${response.status} ${await problemOf(response)}`);
  return (await response.json()) as MeshStatus;
};

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string[] => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
};

/** The status as a person reads it: one row per instance, then each service's health checks. */
export const renderMeshStatus = (status: MeshStatus): string => {
  const rows = status.services.flatMap((service) =>
    service.instances.length === 0
      ? [[service.service, '(none)', '-', '-', '-', '-', '-']]
      : service.instances.map((instance) => [
          service.service,
          instance.instance_id,
          instance.status,
          instance.in_rotation ? 'yes' : 'no',
          instance.pool
            ? `${instance.pool.connections}/${instance.pool.ready}/${instance.pool.in_flight}/${instance.pool.queue_depth}`
            : '-',
          instance.breaker ?? '-',
          String(instance.calls),
        ]),
  );
  const checks = status.services
    .filter((service) => service.health_checks !== null)
    .map(({ service, health_checks: h }) => `  ${service}: ${h!.checks} checks, ${h!.failures} failed, ${h!.unhealthy} unhealthy now`);
  return [
    `registry: ${status.registry}   observed: ${new Date(status.observed_at).toISOString()}`,
    '',
    ...table(['SERVICE', 'INSTANCE', 'STATUS', 'IN ROTATION', 'POOL conn/ready/in-flight/queued', 'BREAKER', 'CALLS'], rows),
    ...(checks.length > 0 ? ['', "health checks by the gateway's process:", ...checks] : []),
    '',
  ].join('\n');
};
