import { failure, type DomainFailure } from '../shared/errors.js';

export const clientNotFound = (clientId: string): DomainFailure =>
  failure('not_found', 'client_not_found', `No client ${clientId} is connected to any gateway instance.`);

export const clientTaken = (clientId: string): DomainFailure =>
  failure('conflict', 'client_id_taken', `Client ${clientId} is already registered for another user or session.`);

export const sessionMismatch = (clientId: string): DomainFailure =>
  failure('forbidden', 'session_mismatch', `The session given does not own client ${clientId}.`);

export const missingField = (field: string): DomainFailure =>
  failure('invalid', 'missing_field', `${field} is required`, [{ field, message: 'is required' }]);

export const invalidField = (field: string, message: string): DomainFailure =>
  failure('invalid', 'invalid_field', `${field} ${message}`, [{ field, message }]);
