/** Exports: files a user asks for and downloads later, produced by background jobs. Times are epoch ms. */

export const ExportKinds = ['simulation_results', 'project_report'] as const;
/** What is exported: a simulation's metric samples, or a report of one project. */
export type ExportKind = (typeof ExportKinds)[number];
export const isExportKind = (value: unknown): value is ExportKind => (ExportKinds as readonly unknown[]).includes(value);

export const ExportFormats = ['json', 'csv'] as const;
export type ExportFormat = (typeof ExportFormats)[number];
export const isExportFormat = (value: unknown): value is ExportFormat => (ExportFormats as readonly unknown[]).includes(value);

/** The formats each kind can be rendered in; a report is a nested document, so JSON only. */
export const FormatsOfKind: Readonly<Record<ExportKind, readonly ExportFormat[]>> = {
  simulation_results: ExportFormats,
  project_report: ['json'],
};

/** `queued` → `running` → `ready` | `failed`; a job redelivered after a crash runs again from `running`. */
export type ExportStatus = 'queued' | 'running' | 'ready' | 'failed';

export interface ExportFile {
  /** Safe in a `content-disposition` header: letters, digits, `.`, `_` and `-` only. */
  readonly fileName: string;
  readonly contentType: string;
  readonly content: string;
}

export interface ExportRecord {
  readonly id: string;
  /** Who asked for it: the only user who may see or download it. */
  readonly userId: string;
  readonly kind: ExportKind;
  readonly format: ExportFormat;
  /** The simulation (`simulation_results`) or the project (`project_report`) exported. */
  readonly subjectId: string;
  readonly status: ExportStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** From then on the export counts as gone, and cleanup deletes it. */
  readonly expiresAt: number;
  /** Present once `ready`. */
  readonly file?: ExportFile;
  /** Why it failed, once `failed`; safe to show the user. */
  readonly failure?: { readonly code: string; readonly message: string };
}

/** Names safe in a header and a file system: anything else becomes `_`. */
export const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
