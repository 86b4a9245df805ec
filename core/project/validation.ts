import type { FieldViolation } from '../shared/errors.js';
import { isProjectStatus, isShareRole, ShareRoles, ProjectStatuses, type Configuration } from './model.js';

/** Field rules of the project use cases. Each returns the violations of one field (none when valid). */

export const ProjectLimits = {
  nameMax: 100,
  descriptionMax: 2000,
  configurationKeysMax: 100,
  configurationKeyMax: 64,
  configurationValueMax: 1024,
  pageSizeMax: 100,
  pageSizeDefault: 20,
} as const;

/** Length in characters (code points), not UTF-16 units, so an emoji counts once. */
const lengthOf = (text: string): number => [...text].length;

/** Names are trimmed before the length check (and stored trimmed). */
export const checkName = (field: string, value: unknown): FieldViolation[] => {
  const name = typeof value === 'string' ? value.trim() : undefined;
  if (!name) return [{ field, message: 'is required' }];
  return lengthOf(name) > ProjectLimits.nameMax ? [{ field, message: `must be at most ${ProjectLimits.nameMax} characters` }] : [];
};

export const checkDescription = (field: string, value: unknown): FieldViolation[] => {
  if (typeof value !== 'string') return [{ field, message: 'must be text' }];
  return lengthOf(value) > ProjectLimits.descriptionMax
    ? [{ field, message: `must be at most ${ProjectLimits.descriptionMax} characters` }]
    : [];
};

/**
 * Size limits of a configuration: at most 100 keys, keys 1..64 characters, values at most 1024.
 * Violations name the entry: `configuration.<key>`.
 */
export const checkConfiguration = (field: string, configuration: Configuration): FieldViolation[] => {
  const violations: FieldViolation[] = [];
  const entries = Object.entries(configuration);
  if (entries.length > ProjectLimits.configurationKeysMax) {
    violations.push({ field, message: `must have at most ${ProjectLimits.configurationKeysMax} keys` });
  }
  for (const [key, value] of entries) {
    const entryField = `${field}.${key}`;
    if (key.trim() === '') violations.push({ field: entryField, message: 'key must not be empty' });
    else if (lengthOf(key) > ProjectLimits.configurationKeyMax) {
      violations.push({ field: entryField, message: `key must be at most ${ProjectLimits.configurationKeyMax} characters` });
    }
    if (typeof value !== 'string') violations.push({ field: entryField, message: 'value must be text' });
    else if (lengthOf(value) > ProjectLimits.configurationValueMax) {
      violations.push({
        field: entryField,
        message: `value must be at most ${ProjectLimits.configurationValueMax} characters`,
      });
    }
  }
  return violations;
};

export const checkStatus = (field: string, value: unknown): FieldViolation[] =>
  isProjectStatus(value) ? [] : [{ field, message: `must be one of ${ProjectStatuses.join(', ')}` }];

export const checkShareRole = (field: string, value: unknown): FieldViolation[] =>
  isShareRole(value) ? [] : [{ field, message: `must be one of ${ShareRoles.join(', ')}` }];

export const checkRequired = (field: string, value: unknown): FieldViolation[] =>
  typeof value === 'string' && value.trim() !== '' ? [] : [{ field, message: 'is required' }];

/** Page size 1..100; absent means the default (20). */
export const checkPageSize = (field: string, value: number | undefined): FieldViolation[] =>
  value === undefined || (Number.isInteger(value) && value >= 1 && value <= ProjectLimits.pageSizeMax)
    ? []
    : [{ field, message: `must be a whole number from 1 to ${ProjectLimits.pageSizeMax}` }];
