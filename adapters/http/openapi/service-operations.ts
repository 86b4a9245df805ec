import { jsonAnswer, type OperationDoc } from '../client-api/operation-doc.js';

/** The API reference of the routes every service port has (docs/adr/0049). */

export const OPENAPI_PATH = '/openapi.json';
export const API_REFERENCE_PATH = '/docs';

export const serviceOperations: readonly OperationDoc[] = [
  {
    method: 'GET',
    path: '/health',
    tag: 'service',
    summary: 'Whether the service answers',
    access: 'anyone',
    answers: { 200: jsonAnswer('`{status: "ok", service, uptime_ms}`.') },
  },
  {
    method: 'GET',
    path: '/metrics',
    tag: 'service',
    summary: 'Prometheus metrics of the process',
    description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when that setting is set; open otherwise (docs/metrics.md).',
    access: 'metrics',
    answers: { 200: { description: 'The Prometheus text exposition format.', media: ['text/plain'] } },
    refusals: { 401: 'The metrics token is set and this is not it (`metrics_token_required`).' },
  },
  {
    method: 'GET',
    path: OPENAPI_PATH,
    tag: 'service',
    summary: 'This document',
    description: 'OpenAPI 3.1, generated from the routes this port serves and the schemas they validate with.',
    access: 'anyone',
    answers: { 200: jsonAnswer('The OpenAPI document.') },
  },
  {
    method: 'GET',
    path: API_REFERENCE_PATH,
    tag: 'service',
    summary: 'This document as a page',
    access: 'anyone',
    answers: { 200: { description: 'The API reference, one self-contained HTML page.', media: ['text/html'] } },
  },
];
