import { ExportFormats, ExportKinds } from '../../../core/exports/model.js';
import { bodyOf, idParams, idSchema, optionalBodyOf } from './common.js';

/** Exports and reports as the client API takes them, on the gateway and the project service's port alike (docs/adr/0029). */

export interface CreateExportBody {
  readonly kind: 'simulation_results' | 'project_report';
  readonly simulation_id?: string;
  readonly project_id?: string;
  readonly format?: 'json' | 'csv';
}

const formatSchema = { type: 'string', enum: ExportFormats } as const;

export const createExportRoute = {
  schema: {
    body: {
      ...bodyOf({ kind: { type: 'string', enum: ExportKinds }, simulation_id: idSchema, project_id: idSchema, format: formatSchema }, [
        'kind',
      ]),
      allOf: [
        { if: { properties: { kind: { const: 'simulation_results' } } }, then: { required: ['simulation_id'] } },
        { if: { properties: { kind: { const: 'project_report' } } }, then: { required: ['project_id'] } },
      ],
    },
  },
} as const;

/** A project's report: no options yet, so an empty body or none. */
export const projectReportRoute = { schema: { params: idParams, body: optionalBodyOf({}) } } as const;

export interface SimulationExportBody {
  readonly format?: 'json' | 'csv';
}

/** The gateway's shortcut for `POST /exports` of a simulation's results. */
export const simulationExportRoute = { schema: { params: idParams, body: optionalBodyOf({ format: formatSchema }) } } as const;

export const exportIdRoute = { schema: { params: idParams } } as const;
