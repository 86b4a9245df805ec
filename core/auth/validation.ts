import type { FieldViolation } from '../shared/errors.js';
import { scriptProblemOf, type ScriptProblem } from './email-scripts.js';

/** Field rules shared by the use cases. Each returns the violations of one field (none when valid). */

export const PasswordLength = { min: 12, max: 128 } as const;
/** A long password of a few repeated characters (`aaaaaaaaaaaa`, `121212121212`) is not a strong one. */
export const PasswordMinDistinctCharacters = 5;
export const NameLength = { min: 1, max: 100 } as const;
const EmailMaxLength = 254;
// Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is the email's job.
const EmailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Length in characters (code points), not UTF-16 units, so an emoji counts once. */
const lengthOf = (text: string): number => [...text].length;

export const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

// Controls, format characters (bidi overrides and isolates, zero-width ones, the soft hyphen, BOM,
// tags), private-use and unassigned code points, separators, and the invisible fillers and
// variation selectors that are letters or marks by category.
const InvisibleOrControl = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Z}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFE00-\uFE0F\uFFA0]/u;

/**
 * An email address that can be read back unambiguously (docs/adr/0035): one @ and a dot in the
 * domain; no control, bidi, zero-width or other invisible character; no compatibility character
 * (full-width letters, ligatures: whatever NFKC would change); and the scripts of `scriptProblemOf`:
 * `pаypal` with a Cyrillic `а` and an all-Cyrillic `аррӏе.com` are refused, while an all-Greek,
 * all-Cyrillic (`пример.рф`) or all-Latin address passes.
 */
export const checkEmail = (field: string, value: unknown): FieldViolation[] => {
  const email = textOf(value)?.trim();
  if (!email) return [{ field, message: 'is required' }];
  if (email.length > EmailMaxLength) return [{ field, message: `must be at most ${EmailMaxLength} characters` }];
  if (InvisibleOrControl.test(email)) return [{ field, message: 'must not contain control, bidirectional or invisible characters' }];
  if (!EmailShape.test(email)) return [{ field, message: 'must be an email address' }];
  const normal = email.normalize('NFC');
  if (normal.normalize('NFKC') !== normal) return [{ field, message: 'must not contain full-width or other compatibility characters' }];
  const problem = scriptProblemOf(normal);
  return problem ? [{ field, message: scriptMessages[problem] }] : [];
};

const scriptMessages: Readonly<Record<ScriptProblem, string>> = {
  mixed_scripts: 'must not mix scripts within a part (look-alike characters)',
  latin_look_alike: 'must not be written in letters that only look Latin (look-alike characters)',
  uncommon_script: 'must be written in scripts in common use',
};

export const checkPassword = (field: string, value: unknown): FieldViolation[] => {
  const password = textOf(value);
  if (password === undefined || password === '') return [{ field, message: 'is required' }];
  const length = lengthOf(password);
  if (length < PasswordLength.min) return [{ field, message: `must be at least ${PasswordLength.min} characters` }];
  if (length > PasswordLength.max) return [{ field, message: `must be at most ${PasswordLength.max} characters` }];
  if (new Set(password).size < PasswordMinDistinctCharacters) {
    return [{ field, message: `must use at least ${PasswordMinDistinctCharacters} different characters` }];
  }
  return [];
};

/** Names are trimmed before the length check. */
export const checkName = (field: string, value: unknown): FieldViolation[] => {
  const name = textOf(value)?.trim();
  if (name === undefined || lengthOf(name) < NameLength.min) return [{ field, message: 'is required' }];
  if (lengthOf(name) > NameLength.max) return [{ field, message: `must be at most ${NameLength.max} characters` }];
  return [];
};

export const checkRequired = (field: string, value: unknown): FieldViolation[] =>
  textOf(value)?.trim() ? [] : [{ field, message: 'is required' }];
