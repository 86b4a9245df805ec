import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { ProjectFailures } from './errors.js';
import { decodePageToken, encodePageToken } from '../shared/page-token.js';
import { BuiltInTemplates, findTemplate, type ProjectTemplate } from './templates.js';
import { checkPageSize, checkRequired, ProjectLimits } from './validation.js';

const TokenKind = 'templates';

/** One template by id. Templates are public: any authenticated caller may read them. */
export const getTemplate = (templateId: string): Result<ProjectTemplate, DomainFailure> => {
  const violations = checkRequired('templateId', templateId);
  if (violations.length > 0) return err(ProjectFailures.invalidInput(violations));
  const template = findTemplate(templateId);
  return template ? ok(template) : err(ProjectFailures.templateNotFound(templateId));
};

export interface ListTemplatesInput {
  /** Only templates of this category; absent or empty lists every category. */
  readonly category?: string;
  /** 1..100, default 20. */
  readonly pageSize?: number;
  /** From the previous page's `nextPageToken`. */
  readonly pageToken?: string;
}

export interface TemplatePage {
  readonly templates: readonly ProjectTemplate[];
  /** Absent on the last page. */
  readonly nextPageToken?: string;
  readonly totalCount: number;
}

/** Templates in catalogue order, optionally of one category; an unknown category lists none. */
export const listTemplates = (input: ListTemplatesInput = {}): Result<TemplatePage, DomainFailure> => {
  const violations = checkPageSize('pageSize', input.pageSize);
  if (violations.length > 0) return err(ProjectFailures.invalidInput(violations));
  const offset = input.pageToken ? offsetOf(input.pageToken) : 0;
  if (offset === undefined) return err(ProjectFailures.invalidPageToken());
  const matching = input.category ? BuiltInTemplates.filter((template) => template.category === input.category) : BuiltInTemplates;
  const end = offset + (input.pageSize ?? ProjectLimits.pageSizeDefault);
  return ok({
    templates: matching.slice(offset, end),
    totalCount: matching.length,
    ...(end < matching.length ? { nextPageToken: encodePageToken(TokenKind, [String(end)]) } : {}),
  });
};

const offsetOf = (token: string): number | undefined => {
  const [offset] = decodePageToken(TokenKind, token) ?? [];
  const value = offset === undefined ? NaN : Number(offset);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
};
