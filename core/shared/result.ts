/**
 * Expected outcomes (not found, denied, invalid) are values; faults are thrown (STYLE.md 6).
 * A use case returns `Result<T, E>` where `E` is a discriminated union of its domain errors.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
