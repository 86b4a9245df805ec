import type { Dispatcher } from 'undici';
import { startTestMesh } from '../../test-support/test-mesh.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import { jsonRequest } from '../support/http2-client.js';
import { nowSeconds, otherKey, resign, type DeniedTokenKind } from './token-kinds.js';

/** Ada's resources, which nobody else may touch, by the path segment and body field that name them. */
export interface VictimResources {
  readonly projectId: string;
  readonly simulationId: string;
  readonly exportId: string;
  readonly templateId: string;
}

/** The whole mesh in this process (as `npm start` runs it), a victim with resources, and a token of each kind that must be refused. */
export interface MeshWithVictim {
  readonly mesh: RunningMesh;
  readonly gatewayUrl: string;
  readonly ada: TestUser;
  readonly bob: TestUser;
  /** An administrator (docs/adr/0054): the control caller of the administration routes and rpcs. */
  readonly admin: TestUser;
  readonly resources: VictimResources;
  /** The `authorization` header value of each denied kind (undefined: no header); `valid` is the victim's own, `admin` the administrator's. */
  authorization(kind: DeniedTokenKind | 'valid' | 'admin'): Promise<string | undefined>;
  /** The victim's token was used to log out: the next `valid` one comes from a new login. */
  forgetValidToken(): void;
}

/**
 * Access tokens live `TOKEN_TTL_SECONDS` here, so that a token of the victim's live session can
 * expire during setup with nothing forged; live tokens are renewed by logging in again well before.
 */
const TOKEN_TTL_SECONDS = 10;
const RENEW_AFTER_MS = 4_000;
const PASSWORD = 'correct horse battery';
export const ADMIN_EMAIL = 'root-of-the-matrix@example.test';

const expect2xx = (what: string, answer: { status: number; body: unknown }): void => {
  if (answer.status >= 300) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
};

export const startMeshWithVictim = async (http: Dispatcher, env: Record<string, string> = {}): Promise<MeshWithVictim> => {
  const mesh = await startTestMesh({ AUTH_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS), AUTH_ADMIN_EMAILS: ADMIN_EMAIL, ...env });
  try {
    const gateway = mesh.services.get('api-gateway');
    if (!gateway) throw new Error('the test mesh started no api-gateway');
    const gatewayUrl = `http://127.0.0.1:${gateway.http.port}`;
    const ada = await aUser(http, gatewayUrl, 'ada');
    const bob = await aUser(http, gatewayUrl, 'bob');
    const admin = await aUser(http, gatewayUrl, 'root', ADMIN_EMAIL);

    const project = await jsonRequest(http, 'POST', `${gatewayUrl}/projects`, { token: ada.token, body: { name: 'Ada private' } });
    expect2xx('create project', project);
    const simulation = await jsonRequest(http, 'POST', `${gatewayUrl}/simulations`, {
      token: ada.token,
      body: { project_id: project.body.project_id, duration_seconds: 600 },
    });
    expect2xx('start simulation', simulation);
    const exported = await jsonRequest(http, 'POST', `${gatewayUrl}/simulations/${simulation.body.simulation_id}/exports`, {
      token: ada.token,
      body: { format: 'json' },
    });
    expect2xx('request export', exported);
    const templates = await jsonRequest(http, 'GET', `${gatewayUrl}/templates`, { token: ada.token });
    expect2xx('list templates', templates);

    const live = {
      ada: liveToken(http, gatewayUrl, ada.email),
      bob: liveToken(http, gatewayUrl, bob.email),
      admin: liveToken(http, gatewayUrl, admin.email),
      // Ada's other session, closed at once: its token is unexpired and names a real user, but a revoked session.
      revoked: liveToken(http, gatewayUrl, ada.email, true),
    };
    const badSignature = await resign(ada.token, otherKey(), nowSeconds() + 600);
    // Ada's first token is of a session still open: waiting out its lifetime makes it an honest expired token.
    const expiresAt = Number(JSON.parse(Buffer.from(ada.token.split('.')[1] ?? '', 'base64url').toString()).exp) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 1_100)));
    const still = await jsonRequest(http, 'GET', `${gatewayUrl}/auth/profile`, { token: await live.ada() });
    expect2xx('a renewed token', still);

    return {
      mesh,
      gatewayUrl,
      ada,
      bob,
      admin,
      resources: {
        projectId: project.body.project_id,
        simulationId: simulation.body.simulation_id,
        exportId: exported.body.export.id,
        templateId: templates.body.templates[0].template_id,
      },
      forgetValidToken: () => live.ada.forget(),
      authorization: async (kind) => {
        switch (kind) {
          case 'none':
            return undefined;
          case 'malformed':
            return 'Bearer not.a.token';
          case 'bad_signature':
            return `Bearer ${badSignature}`;
          case 'expired':
            return `Bearer ${ada.token}`;
          case 'revoked':
            return `Bearer ${await live.revoked()}`;
          case 'other_user':
            return `Bearer ${await live.bob()}`;
          case 'valid':
            return `Bearer ${await live.ada()}`;
          case 'admin':
            return `Bearer ${await live.admin()}`;
        }
      },
    };
  } catch (error) {
    await mesh.stop();
    throw error;
  }
};

/** A token of `email` renewed by a new login once it is `RENEW_AFTER_MS` old; with `logOut`, of a session closed at once. */
const liveToken = (http: Dispatcher, gatewayUrl: string, email: string, logOut = false) => {
  let current: { token: string; at: number } | undefined;
  const token = async (): Promise<string> => {
    if (current && Date.now() - current.at < RENEW_AFTER_MS) return current.token;
    const login = await jsonRequest(http, 'POST', `${gatewayUrl}/auth/login`, { body: { email, password: PASSWORD } });
    expect2xx('login', login);
    if (logOut) expect2xx('logout', await jsonRequest(http, 'POST', `${gatewayUrl}/auth/logout`, { token: login.body.access_token }));
    current = { token: login.body.access_token, at: Date.now() };
    return current.token;
  };
  return Object.assign(token, { forget: () => void (current = undefined) });
};
