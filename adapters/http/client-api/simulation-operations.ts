import { jsonAnswer, type OperationDoc } from './operation-doc.js';
import {
  historyRoute,
  metricsRoute,
  projectHistoryRoute,
  resultsRoute,
  simulationIdRoute,
  startSimulationRoute,
  stopSimulationRoute,
  validateSimulationRoute,
} from './simulation-api.js';

/**
 * The API reference of the simulation routes (docs/adr/0049): answers are
 * `simulation.SimulationService`'s response messages as client JSON (proto/simulation.proto,
 * docs/adr/0043).
 */

const message = (name: string, more = '') => `\`simulation.${name}\` as client JSON (snake_case keys, epoch-ms times)${more}.`;
const NOT_FOUND = 'No simulation with this id (`simulation_not_found`).';
const NOT_YOURS = 'Neither your run nor a run of a project you can read (`simulation_forbidden`).';

export const simulationOperations: readonly OperationDoc[] = [
  {
    method: 'POST',
    path: '/simulations',
    tag: 'simulations',
    summary: 'Start a simulation of a project',
    description:
      'Runs in the background, appending 10 samples a second to its stream. On the gateway the answer adds `stream_url`, ' +
      'the path of the WebSocket that streams them live (`/simulation/stream`).',
    access: 'user',
    route: startSimulationRoute,
    answers: { 201: jsonAnswer(message('StartSimulationResponse'), { location: 'The new simulation (simulation port).' }) },
    refusals: {
      400: 'A rule of the domain: a duration outside 1..3600 s, an unknown component or configuration value (`invalid_request`).',
      403: 'Only the project’s owner and editors start runs (`simulation_start_forbidden`), or you lack `simulation:start`.',
      404: 'No project with this `project_id` that you can read (`project_not_found`).',
      429: 'Too many of your (or the project’s) runs at once (`simulation_quota_exceeded`, with `Retry-After`).',
      503: 'A maintenance window is on (`maintenance_window`, with `Retry-After` until it ends): no new run starts; runs going finish.',
    },
  },
  {
    method: 'POST',
    path: '/simulations/validate',
    tag: 'simulations',
    summary: 'Check a run’s configuration without starting it',
    access: 'user',
    route: validateSimulationRoute,
    answers: { 200: jsonAnswer(message('ValidateConfigurationResponse', ': `valid`, field `errors` and `warnings`')) },
    refusals: { 404: 'No project with this `project_id` that you can read.' },
  },
  {
    method: 'GET',
    path: '/simulations',
    tag: 'simulations',
    summary: 'List your simulations',
    access: 'user',
    route: historyRoute,
    answers: { 200: jsonAnswer(message('GetSimulationHistoryResponse')) },
    refusals: { 400: 'A `page_token` this service did not issue (`invalid_page_token`).' },
  },
  {
    method: 'GET',
    path: '/projects/:id/simulations',
    tag: 'simulations',
    summary: 'List your simulations of one project',
    access: 'user',
    route: projectHistoryRoute,
    answers: { 200: jsonAnswer(message('GetSimulationHistoryResponse')) },
    refusals: {
      400: 'A `page_token` this service did not issue (`invalid_page_token`).',
      404: 'No project with this id that you can read (`project_not_found`).',
    },
  },
  {
    method: 'GET',
    path: '/simulations/:id',
    tag: 'simulations',
    summary: 'Read a simulation’s status and progress',
    access: 'user',
    route: simulationIdRoute,
    answers: { 200: jsonAnswer(message('GetSimulationStatusResponse')) },
    refusals: { 403: NOT_YOURS, 404: NOT_FOUND },
  },
  {
    method: 'POST',
    path: '/simulations/:id/stop',
    tag: 'simulations',
    summary: 'Stop a running simulation',
    access: 'user',
    route: stopSimulationRoute,
    answers: { 200: jsonAnswer(message('StopSimulationResponse')) },
    refusals: {
      403: 'Only whoever started the run or the project’s owner stops it (`simulation_stop_forbidden`).',
      404: NOT_FOUND,
    },
  },
  {
    method: 'GET',
    path: '/simulations/:id/results',
    tag: 'simulations',
    summary: 'Read a simulation’s results',
    description: 'The summary and final metrics; the newest `max_samples` samples with `include_samples=true`.',
    access: 'user',
    route: resultsRoute,
    answers: { 200: jsonAnswer(message('GetSimulationResultsResponse')) },
    refusals: { 403: NOT_YOURS, 404: NOT_FOUND },
  },
  {
    method: 'GET',
    path: '/simulations/:id/metrics',
    tag: 'simulations',
    summary: 'Read a simulation’s latest samples',
    access: 'user',
    route: metricsRoute,
    answers: { 200: jsonAnswer(message('GetLiveMetricsResponse', '; only samples after `since` when given')) },
    refusals: { 403: NOT_YOURS, 404: NOT_FOUND },
  },
  {
    method: 'GET',
    path: '/simulations/:id/analysis',
    tag: 'simulations',
    summary: 'Read a simulation’s performance analysis',
    description: 'Bottlenecks and saturation points found in its samples.',
    access: 'user',
    route: simulationIdRoute,
    answers: { 200: jsonAnswer(message('GetPerformanceAnalysisResponse')) },
    refusals: { 403: NOT_YOURS, 404: NOT_FOUND },
  },
];
