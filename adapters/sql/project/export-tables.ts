import type { Selectable } from 'kysely';

/** Export files of the project service (schema `project`); content kept until `expires_at`. */
export interface ExportsTable {
  id: string;
  user_id: string;
  kind: string;
  format: string;
  subject_id: string;
  status: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
  /** The file's three fields are all set (ready) or all NULL. */
  file_name: string | null;
  content_type: string | null;
  content: string | null;
  /** Both set (failed) or both NULL. */
  failure_code: string | null;
  failure_message: string | null;
}

export type ExportRow = Selectable<ExportsTable>;
