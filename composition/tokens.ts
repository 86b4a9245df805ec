import type { Container, ServiceIdentifier } from 'inversify';

/** A service identifier that remembers the type bound to it, so resolving needs no cast at call sites. */
export type Token<T> = symbol & { readonly __bound?: T };

export const token = <T>(description: string): Token<T> => Symbol(description) as Token<T>;

export const resolve = <T>(container: Container, id: Token<T>): T => container.get<T>(id as ServiceIdentifier<T>);
