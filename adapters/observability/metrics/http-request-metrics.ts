import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

type Child = Histogram.Internal<string>;

/**
 * Request durations of the services' HTTP ports, per service, route template (`/projects/:id`,
 * never the URL itself: ids stay out of labels), method and status class. Children are made once
 * per (service, route, method) and kept, so a request costs three map lookups and one observation.
 */
export class HttpRequestMetrics {
  private readonly duration: Histogram;
  /** service -> route template -> method -> one child per status class. */
  private readonly children = new Map<string, Map<string, Map<string, Child[]>>>();

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'meshwork_http_request_duration_seconds',
      help: 'HTTP requests served, from arrival to the response sent, by route template',
      labelNames: ['service', 'route', 'method', 'status_class'],
      buckets: durationBuckets,
      registers: [registry],
    });
  }

  /** Observes every response `app` sends, under `service`. */
  instrument(app: FastifyInstance, service: string): void {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const statusClass = Math.min(5, Math.max(1, Math.floor(reply.statusCode / 100))) - 1;
      this.childrenOf(service, route, request.method)[statusClass]!.observe(reply.elapsedTime / 1000);
      done();
    });
  }

  private childrenOf(service: string, route: string, method: string): Child[] {
    let byRoute = this.children.get(service);
    if (!byRoute) this.children.set(service, (byRoute = new Map()));
    let byMethod = byRoute.get(route);
    if (!byMethod) byRoute.set(route, (byMethod = new Map()));
    let children = byMethod.get(method);
    if (!children) {
      children = statusClasses.map((statusClass) => this.duration.labels(service, route, method, statusClass));
      byMethod.set(method, children);
    }
    return children;
  }
}
