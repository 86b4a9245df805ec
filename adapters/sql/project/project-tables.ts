import type { ColumnType, Generated, Selectable } from 'kysely';
import type { IdempotencyTables } from '../idempotency/idempotency-table.js';
import type { OutboxTables } from '../outbox/outbox-table.js';
import type { ExportsTable } from './export-tables.js';

/** The project service's tables (schema `project`), as kysely sees them. Times are epoch ms (BIGINT). */
export interface ProjectTables extends OutboxTables, IdempotencyTables {
  projects: ProjectsTable;
  project_shares: ProjectSharesTable;
  project_collaborators: ProjectCollaboratorsTable;
  exports: ExportsTable;
}

/** A JSONB column: read as the parsed value, written as JSON text. */
export type JsonColumn<T> = ColumnType<T, string, string>;

export interface ProjectsTable {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  template_id: string | null;
  configuration: JsonColumn<Record<string, string>>;
  is_public: boolean;
  status: string;
  created_at: number;
  updated_at: number;
  version: number;
  /** Path to the version and client of its last change (docs/adr/0050). */
  revisions: ColumnType<Record<string, { version: number; clientId: string }>, string | undefined, string>;
  /** Revisions of changes in this version or before were pruned (docs/adr/0063). */
  revisions_pruned_through: ColumnType<number, number | undefined, number>;
}

export interface ProjectSharesTable {
  project_id: string;
  user_id: string;
  role: string;
  shared_at: number;
  /** The share's place in `Project.shares` (first shared first). */
  position: number;
}

export interface ProjectCollaboratorsTable {
  project_id: string;
  user_id: string;
  /** Identity: joining order. */
  seq: Generated<number>;
}

export type ProjectRow = Selectable<ProjectsTable>;
