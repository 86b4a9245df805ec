import type { Dispatcher } from 'undici';
import { jsonRequest } from '../contract-tests/support/http2-client.js';

/** A user registered and logged in through the gateway's client API. */
export interface TestUser {
  readonly userId: string;
  readonly email: string;
  readonly token: string;
  readonly sessionId: string;
}

let users = 0;

/** Registers and logs in a fresh user through `base` (the gateway's HTTP URL), with `givenEmail` when given; throws unless both succeed. */
export const aUser = async (http: Dispatcher, base: string, name = 'user', givenEmail?: string): Promise<TestUser> => {
  users += 1;
  const email = givenEmail ?? `${name}-${users}-${Date.now()}@example.test`;
  const password = 'correct horse battery';
  const registered = await jsonRequest(http, 'POST', `${base}/auth/register`, { body: { email, password, name } });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  const login = await jsonRequest(http, 'POST', `${base}/auth/login`, { body: { email, password } });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${JSON.stringify(login.body)}`);
  return { userId: registered.body.user.id, email, token: login.body.access_token, sessionId: login.body.session_id };
};

/** A new project of `user` with a simulation started on it that runs for ten minutes; resolves with the simulation's id. */
export const aRunningSimulation = async (http: Dispatcher, base: string, user: TestUser, projectName: string): Promise<string> => {
  const project = await jsonRequest(http, 'POST', `${base}/projects`, { token: user.token, body: { name: projectName } });
  if (project.status !== 201) throw new Error(`create project answered ${project.status}: ${JSON.stringify(project.body)}`);
  const simulation = await jsonRequest(http, 'POST', `${base}/simulations`, {
    token: user.token,
    body: { project_id: project.body.project_id, duration_seconds: 600 },
  });
  if (simulation.status !== 201 && simulation.status !== 202)
    throw new Error(`start simulation answered ${simulation.status}: ${JSON.stringify(simulation.body)}`);
  return simulation.body.simulation_id as string;
};
