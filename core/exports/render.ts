import { METRIC_FIELDS } from '../simulation/model/metric-sample.js';
import { safeFileName, type ExportFile, type ExportFormat } from './model.js';
import type { SimulationResultsData } from './ports.js';

export const ContentTypes: Readonly<Record<ExportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

/** RFC 4180: CRLF between records. */
const CRLF = '\r\n';

/**
 * A simulation's samples as a file. CSV: a header row of the sample fields (timestamp, then the 12
 * metrics, in `METRIC_FIELDS` order) and one row per sample, oldest first; numbers as JavaScript
 * prints them, timestamps in epoch ms. JSON: the results with their summary and samples.
 */
export const renderSimulationResults = (results: SimulationResultsData, format: ExportFormat): ExportFile => {
  const fileName = safeFileName(`simulation-${results.simulationId}-results.${format}`);
  return { fileName, contentType: ContentTypes[format], content: format === 'csv' ? csvOf(results) : jsonOf(results) };
};

const csvOf = (results: SimulationResultsData): string => {
  const rows = results.samples.map((sample) => METRIC_FIELDS.map((field) => String(sample[field])).join(','));
  return [METRIC_FIELDS.join(','), ...rows].join(CRLF) + CRLF;
};

const jsonOf = (results: SimulationResultsData): string =>
  JSON.stringify({
    simulation_id: results.simulationId,
    project_id: results.projectId,
    status: results.status,
    started_at: results.startedAt,
    completed_at: results.completedAt,
    duration_seconds: results.durationSeconds,
    summary: results.summary,
    samples: results.samples,
  });

/** Any JSON document as a downloadable file. */
export const jsonFile = (baseName: string, document: unknown): ExportFile => ({
  fileName: safeFileName(`${baseName}.json`),
  contentType: ContentTypes.json,
  content: JSON.stringify(document, null, 2),
});
