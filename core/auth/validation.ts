import type { FieldViolation } from '../shared/errors.js';

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

export const checkEmail = (field: string, value: unknown): FieldViolation[] => {
  const email = textOf(value)?.trim();
  if (!email) return [{ field, message: 'is required' }];
  if (email.length > EmailMaxLength) return [{ field, message: `must be at most ${EmailMaxLength} characters` }];
  return EmailShape.test(email) ? [] : [{ field, message: 'must be an email address' }];
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
