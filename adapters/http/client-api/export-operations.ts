import { createExportRoute, exportIdRoute, projectReportRoute, simulationExportRoute } from './export-api.js';
import { jsonAnswer, type OperationDoc } from './operation-doc.js';

/** The API reference of exports and reports (docs/adr/0049); the project service owns them, the gateway passes them on. */

const QUEUED = jsonAnswer('`{"export": {...}}`: the queued export (`id`, `kind`, `format`, `status`, times); poll `GET /exports/{id}`.', {
  location: 'Where to poll: `/exports/{id}`.',
});
const SUBJECT_NOT_FOUND = 'No such simulation or project that you can read.';

export const exportOperations: readonly OperationDoc[] = [
  {
    method: 'POST',
    path: '/exports',
    tag: 'exports',
    summary: 'Export a simulation’s results or a project report',
    description: 'A background job renders the file; JSON or CSV for results, JSON for a report.',
    access: 'user',
    route: createExportRoute,
    answers: { 202: QUEUED },
    refusals: { 400: 'A format the kind has no rendering in (`invalid_input`).', 404: SUBJECT_NOT_FOUND },
  },
  {
    method: 'POST',
    path: '/projects/:id/reports',
    tag: 'exports',
    summary: 'Export a project report',
    access: 'user',
    route: projectReportRoute,
    answers: { 202: QUEUED },
    refusals: { 404: SUBJECT_NOT_FOUND },
  },
  {
    method: 'POST',
    path: '/simulations/:id/exports',
    tag: 'exports',
    summary: 'Export a simulation’s results',
    description: 'The gateway’s shortcut for `POST /exports` with `kind: simulation_results`.',
    access: 'user',
    route: simulationExportRoute,
    answers: { 202: QUEUED },
    refusals: { 404: SUBJECT_NOT_FOUND },
  },
  {
    method: 'GET',
    path: '/exports/:id',
    tag: 'exports',
    summary: 'Poll an export, or download it once ready',
    description: 'Only whoever asked for the export sees it.',
    access: 'user',
    route: exportIdRoute,
    answers: {
      200: {
        description: 'The file once ready (an attachment), or `{"export": {...}}` with its `error` once failed.',
        media: ['application/json', 'text/csv'],
        headers: { 'content-disposition': 'attachment; filename="…" (the file).' },
      },
      202: jsonAnswer('`{"export": {...}}` while queued or running.', { 'retry-after': 'Seconds before polling again.' }),
    },
    refusals: { 404: 'No export with this id of yours (`export_not_found`).' },
  },
];
