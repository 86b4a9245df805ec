import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import type { Env } from './config.js';

const problemsOf = (env: Env): readonly string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('the mTLS settings', () => {
  it('are on by default, with the development PKI under DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: '/var/meshwork' }).tls).toEqual({
      enabled: true,
      dir: '/var/meshwork/pki',
      caFile: undefined,
      supplied: { 'api-gateway': undefined, auth: undefined, project: undefined, simulation: undefined },
      shared: undefined,
      reloadIntervalMs: 5_000,
    });
    expect(loadConfig({ MESH_TLS: 'off' }).tls.enabled).toBe(false);
    expect(loadConfig({ MESH_TLS_RELOAD_SECONDS: '0' }).tls.reloadIntervalMs).toBe(0);
  });

  it('take supplied certificates per service, the shared pair standing in for the others', () => {
    const { tls } = loadConfig({
      MESH_TLS_CA: '/etc/mesh/ca.pem',
      MESH_TLS_CERT: '/etc/mesh/all.pem',
      MESH_TLS_KEY: '/etc/mesh/all-key.pem',
      AUTH_TLS_CERT: '/etc/mesh/auth.pem',
      AUTH_TLS_KEY: '/etc/mesh/auth-key.pem',
    });
    expect(tls.caFile).toBe('/etc/mesh/ca.pem');
    expect(tls.supplied.auth).toEqual({ certFile: '/etc/mesh/auth.pem', keyFile: '/etc/mesh/auth-key.pem' });
    expect(tls.supplied.project).toEqual({ certFile: '/etc/mesh/all.pem', keyFile: '/etc/mesh/all-key.pem' });
  });

  it('report a certificate without its key, certificates without a CA, and a bad switch, all at once', () => {
    expect(problemsOf({ MESH_TLS: 'yes', PROJECT_TLS_CERT: '/p.pem' })).toEqual(
      expect.arrayContaining([
        "MESH_TLS must be one of on, off; got 'yes'",
        'PROJECT_TLS_CERT and PROJECT_TLS_KEY go together: set both or neither',
      ]),
    );
    expect(problemsOf({ MESH_TLS_CERT: '/a.pem', MESH_TLS_KEY: '/a-key.pem' })).toEqual([
      'certificates given by path need the CA that signed them: set MESH_TLS_CA',
    ]);
  });
});
