import type { Received, TestSocket } from '../contract-tests/gateway/ws-client.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { applyStoredOps } from '../core/project/collaborative-edit.js';
import type { PatchOperation, ProjectDocument } from '../core/project/document-patch.js';

/** What a collaborator holds: the project's editable content and the version it is at. */
export interface CollaboratorCopy {
  readonly document: ProjectDocument;
  readonly version: number;
}

type StateDocument = ProjectDocument & { readonly version: number };

/**
 * The copy a collaboration socket has built (docs/adr/0050), as the dashboard builds it: the last
 * `collaboration_state`, then every `edit` entry of a later version, in the order received.
 */
export const collaboratorCopy = (socket: TestSocket): CollaboratorCopy => {
  const start = socket.ofType('collaboration_state').at(-1)?.['document'] as StateDocument | undefined;
  if (start === undefined) throw new Error('the socket has no collaboration_state');
  let copy: CollaboratorCopy = {
    document: { name: start.name, description: start.description, configuration: { ...start.configuration } },
    version: start.version,
  };
  for (const edit of socket.ofType('edit')) {
    const version = edit['version'] as number;
    if (version <= copy.version) continue;
    copy = { document: applyStoredOps(copy.document, edit['ops'] as PatchOperation[]), version };
  }
  return copy;
};

/** Waits for the one answer (`edit_applied`, `edit_conflict` or `edit_rejected`) to the edit `opId`. */
export const answerTo = async (socket: TestSocket, opId: string, timeoutMs = 10_000): Promise<Received> => {
  const answer = () => socket.received.find((message) => message['op_id'] === opId && message.type !== 'edit');
  await waitFor(() => answer() !== undefined, timeoutMs, `the answer to ${opId}`);
  return answer()!;
};

/** Whether the socket received the stream's `edit` entry of the edit `opId`. */
export const sawEdit = (socket: TestSocket, opId: string): boolean => socket.ofType('edit').some((edit) => edit['op_id'] === opId);
