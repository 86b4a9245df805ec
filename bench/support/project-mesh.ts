import { Agent, request as httpRequest } from 'undici';
import { startTestMesh } from '../../test-support/test-mesh.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { jsonRequest } from '../../contract-tests/support/http2-client.js';

/** Gateway limits far above what a benchmark sends from one address and one user. */
const UNLIMITED_GATEWAY = {
  GATEWAY_RATE_PER_ADDRESS: '1000000',
  GATEWAY_RATE_BURST_PER_ADDRESS: '1000000',
  GATEWAY_RATE_PER_USER: '1000000',
  GATEWAY_RATE_BURST_PER_USER: '1000000',
  // The memory scenario holds 10k sockets for one user: the default cap closes them with 4429.
  GATEWAY_WS_MAX_PER_USER: '100000',
  // ...all from one address: the default cap of 256 connections per address closes the rest.
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
};

export interface BenchMesh {
  readonly mesh: RunningMesh;
  /** `http://host:port` of the gateway's client port. */
  readonly gateway: string;
  readonly http2: Agent;
  readonly token: string;
  readonly userId: string;
  /** `127.0.0.1:port` of a service's gRPC server. */
  grpcOf(service: 'auth' | 'project' | 'simulation'): string;
  stop(): Promise<void>;
}

/**
 * The four services in this process on free ports (in-memory storage unless `env` says otherwise),
 * the gateway's rate limits lifted, and one registered, logged-in user.
 */
export const startBenchMesh = async (env: Record<string, string> = {}): Promise<BenchMesh> => {
  // loadConfig reads the environment it is given, not process.env: the limits go in with `env`.
  const mesh = await startTestMesh({ ...UNLIMITED_GATEWAY, ...env });
  const gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
  const http2 = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
  const account = { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bench' };
  const registered = await jsonRequest(http2, 'POST', `${gateway}/auth/register`, { body: account });
  if (registered.status !== 201) throw new Error(`register: HTTP ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: { email: account.email, password: account.password } });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.access_token as string;
  const profile = await jsonRequest(http2, 'GET', `${gateway}/auth/profile`, { token });
  return {
    mesh,
    gateway,
    http2,
    token,
    userId: profile.body.user.id as string,
    grpcOf: (service) => `127.0.0.1:${mesh.services.get(service)!.grpc.port}`,
    stop: async () => {
      await http2.close();
      await mesh.stop();
    },
  };
};

/** POST /projects through the mesh's gateway with its user's token; true when answered 201. */
export const postProject = async (bench: BenchMesh, name: string): Promise<boolean> => {
  const response = await httpRequest(`${bench.gateway}/projects`, {
    method: 'POST',
    dispatcher: bench.http2,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.token}` },
    body: JSON.stringify({ name, template_id: 'microservices' }),
  });
  await response.body.dump();
  return response.statusCode === 201;
};
