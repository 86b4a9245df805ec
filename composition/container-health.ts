/**
 * The image's HEALTHCHECK: exits 0 when every service this container runs answers `GET /health`
 * on its HTTP port within 2 s, 1 otherwise. The services are MESH_SERVICES; when it is unset (the
 * service chosen by --service, which this separate process cannot see), every service's port that
 * accepts a connection is checked, and at least one must.
 *
 *   node dist/composition/container-health.js
 */
import { request } from 'node:http';
import { ConfigError, loadConfig, ServiceNames, type MeshConfig, type ServiceName } from './config.js';

type Outcome = 'healthy' | 'unhealthy' | 'absent';

// A main of its own: the configuration is read here once, as in composition/main.ts.
const config = ((): MeshConfig => {
  try {
    return loadConfig(process.env);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    process.exit(1);
  }
})();
const host = config.bindHost === '0.0.0.0' ? '127.0.0.1' : config.bindHost === '::' ? '::1' : config.bindHost;

const check = (service: ServiceName): Promise<Outcome> =>
  new Promise((resolve) => {
    const call = request({ host, port: config.ports[service].httpPort, path: '/health', timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? 'healthy' : 'unhealthy');
    });
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'absent' : 'unhealthy'));
    call.end();
  });

const strict = config.services.length > 0;
const services = strict ? config.services : ServiceNames;
const outcomes = await Promise.all(services.map(async (service) => [service, await check(service)] as const));
const healthy = strict
  ? outcomes.every(([, outcome]) => outcome === 'healthy')
  : outcomes.some(([, outcome]) => outcome === 'healthy') && !outcomes.some(([, outcome]) => outcome === 'unhealthy');
console.log(outcomes.map(([service, outcome]) => `${service}: ${outcome}`).join(', '));
process.exit(healthy ? 0 : 1);
