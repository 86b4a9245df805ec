import { afterAll, describe, expect, it } from 'vitest';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../test-support/otlp-receiver.js';
import { startTestMesh } from '../../test-support/test-mesh.js';

const http2 = h2cAgent();

/** Register, log in and create a project: work that would make spans in every service. */
const createAProject = async (gateway: string): Promise<void> => {
  const account = { email: `off-${Date.now()}-${Math.random()}@example.com`, password: 'correct horse battery' };
  expect((await jsonRequest(http2, 'POST', `${gateway}/auth/register`, { body: { ...account, name: 'Off' } })).status).toBe(201);
  const login = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: account });
  const created = await jsonRequest(http2, 'POST', `${gateway}/projects`, {
    token: login.body.access_token,
    body: { name: 'Untraced', template_id: 'monolith' },
  });
  expect(created.status).toBe(201);
};

/** OTLP's default endpoint (http://localhost:4318), when this machine lets the test have it. */
const defaultPortReceiver = (): Promise<OtlpReceiver | undefined> => startOtlpReceiver(4318).catch(() => undefined);

describe('without OTEL variables, or with OTEL_SDK_DISABLED=true', () => {
  afterAll(async () => {
    await http2.close();
  });

  it('starts no SDK and exports nothing, not even to the default endpoint', { timeout: 60_000 }, async () => {
    const receiver = await defaultPortReceiver();
    const mesh = await startTestMesh();
    try {
      expect(mesh.tracing).toBeUndefined();
      await createAProject(`http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`);
    } finally {
      // A started SDK would export what it buffered here, at the latest.
      await mesh.stop();
    }
    if (receiver) {
      expect(receiver.requests()).toEqual([]);
      await receiver.close();
    } else console.warn('port 4318 is taken on this machine: the default endpoint was not watched');
  });

  it('exports nothing to a configured endpoint while OTEL_SDK_DISABLED is true', { timeout: 60_000 }, async () => {
    const receiver = await startOtlpReceiver();
    const mesh = await startTestMesh({
      OTEL_SDK_DISABLED: 'TRUE',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '1',
    });
    try {
      expect(mesh.tracing).toBeUndefined();
      await createAProject(`http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`);
    } finally {
      await mesh.stop();
    }
    expect(receiver.requests()).toEqual([]);
    await receiver.close();
  });

  it('exports to the same endpoint once OTEL_SDK_DISABLED is false: the receiver would have seen spans', { timeout: 60_000 }, async () => {
    const receiver = await startOtlpReceiver();
    const mesh = await startTestMesh({ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    try {
      expect(mesh.tracing).toBeDefined();
      await createAProject(`http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`);
    } finally {
      await mesh.stop();
    }
    expect(receiver.spans().some((span) => span.name === 'POST /projects')).toBe(true);
    await receiver.close();
  });
});
