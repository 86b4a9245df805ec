import { describe, expect, it } from 'vitest';
import { startBanner, type BannerFacts } from './start-banner.js';

const facts = (overrides: Partial<BannerFacts> = {}): BannerFacts => ({
  host: '127.0.0.1',
  instances: {
    'api-gateway': [{ id: 'api-gateway-1', grpc: 8000, http: 8001 }],
    auth: [
      { id: 'auth-1', grpc: 9000, http: 9001 },
      { id: 'auth-2', grpc: 9010, http: 9011 },
    ],
  },
  messaging: 'memory',
  registry: 'memory',
  storage: { kind: 'sql', dataDir: './data', databaseUrls: { auth: undefined, project: undefined, simulation: undefined } },
  ...overrides,
});

describe('the start banner', () => {
  it("shows the dashboard URL, every instance's ports, the storage and messaging, and how to stop", () => {
    const banner = startBanner(facts());
    expect(banner).toContain('dashboard    http://127.0.0.1:8001/');
    expect(banner).toMatch(/api-gateway +api-gateway-1 +gRPC 8000 +HTTP 8001/);
    expect(banner).toMatch(/auth +auth-1 +gRPC 9000 +HTTP 9001/);
    expect(banner).toMatch(/auth +auth-2 +gRPC 9010 +HTTP 9011/);
    expect(banner).toContain('storage      PGlite under ./data');
    expect(banner).toContain('messaging    in this process; registry in this process');
    expect(banner).toContain('npm run mesh -- status');
    expect(banner).toContain('stop         Ctrl-C');
  });

  it('names Redis and PostgreSQL when the mesh uses them', () => {
    const url = 'postgres://127.0.0.1/mesh';
    const banner = startBanner(
      facts({
        messaging: 'redis',
        registry: 'redis',
        storage: { kind: 'sql', dataDir: './data', databaseUrls: { auth: url, project: url, simulation: url } },
      }),
    );
    expect(banner).toContain('storage      PostgreSQL');
    expect(banner).toContain('messaging    Redis; registry in Redis');
  });

  it('says when state is kept in memory and when no gateway runs in the process', () => {
    const banner = startBanner(
      facts({
        instances: { auth: [{ id: 'auth-1', grpc: 1, http: 2 }] },
        storage: { kind: 'memory', dataDir: './data', databaseUrls: { auth: undefined, project: undefined, simulation: undefined } },
      }),
    );
    expect(banner).toContain('storage      in memory');
    expect(banner).toContain('(no api-gateway in this process)');
  });
});
