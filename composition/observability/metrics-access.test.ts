import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/observability/logger.js';
import { serveService, type RunningService } from '../service-server.js';
import { metricsAccess } from './metrics-access.js';

describe('metricsAccess', () => {
  it('lets anyone read when no token is configured', () => {
    expect(metricsAccess(undefined)(undefined)).toBe(true);
  });

  it('asks for the exact bearer token when one is configured', () => {
    const allowed = metricsAccess('a-long-scrape-token');
    expect(allowed('Bearer a-long-scrape-token')).toBe(true);
    expect(allowed(undefined)).toBe(false);
    expect(allowed('Bearer a-long-scrape-tokeN')).toBe(false);
    expect(allowed('Bearer a-long-scrape-token ')).toBe(false);
    expect(allowed('a-long-scrape-token')).toBe(false);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let service: RunningService;
  const url = () => `http://127.0.0.1:${service.http.port}/metrics`;

  beforeAll(async () => {
    service = await serveService({
      name: 'auth',
      bindHost: '127.0.0.1',
      grpcPort: 0,
      httpPort: 0,
      logger: createLogger('metrics-access-test', 'silent'),
      grpcServices: [],
      metricsToken: 'a-long-scrape-token',
    });
  });
  afterAll(async () => service?.stop());

  it('answers 401 problem+json without the token, and the metrics with it', async () => {
    const refused = await fetch(url());
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.text()).not.toContain('meshwork_');

    const served = await fetch(url(), { headers: { authorization: 'Bearer a-long-scrape-token' } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('# TYPE meshwork_');
  });
});
