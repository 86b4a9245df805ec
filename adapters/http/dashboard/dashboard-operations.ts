import { jsonAnswer, type OperationDoc } from '../client-api/operation-doc.js';

/** The API reference of the dashboard's routes on the gateway (docs/adr/0020, docs/adr/0049). */

const ETAG = { etag: 'Validator for `If-None-Match`.', 'cache-control': 'How long the file may be cached.' };

export const dashboardOperations: readonly OperationDoc[] = [
  {
    method: 'GET',
    path: '/',
    tag: 'dashboard',
    summary: 'The dashboard page',
    description: 'Sign in, create a project, watch its simulation live, and see the mesh.',
    access: 'anyone',
    answers: {
      200: { description: 'The page.', media: ['text/html'], headers: ETAG },
      304: { description: 'Unchanged since the `If-None-Match` ETag.', media: [] },
    },
  },
  {
    method: 'GET',
    path: '/dashboard/*',
    tag: 'dashboard',
    summary: 'A file of the dashboard',
    description: 'Its scripts, styles and vendored uPlot (`vendor/uPlot.esm.js`).',
    access: 'anyone',
    answers: {
      200: { description: 'The file.', media: ['text/javascript', 'text/css', 'image/svg+xml'], headers: ETAG },
      304: { description: 'Unchanged since the `If-None-Match` ETag.', media: [] },
    },
    refusals: { 404: 'No such file (`asset_not_found`).' },
  },
  {
    method: 'GET',
    path: '/mesh/status',
    tag: 'dashboard',
    summary: 'The mesh as this gateway sees it',
    description: 'Instances per service with their health, pools and breakers; served when the gateway runs in a process mesh.',
    access: 'user',
    answers: { 200: jsonAnswer('`{registry, observed_at, services: [{service, instances, health_checks}]}`.') },
  },
];
