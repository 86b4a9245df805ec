import { Streams } from '../messaging/channels.js';
import type { StreamEntry } from '../messaging/streams.js';
import { DomainFailureError, type DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ClientRegistry } from './client-registry.js';
import type { CollaborationEdit, EditAnswer, JoinedCollaboration, ProjectCollaboration } from './collaboration-ports.js';
import type { GatewayMessage, Identity } from './model.js';
import type { ClientConnection } from './ports.js';
import type { StreamFanOut } from './stream-fan-out.js';

export interface CollaborationSessionsDeps {
  readonly registry: ClientRegistry;
  readonly fanOut: StreamFanOut;
  readonly projects: ProjectCollaboration;
  /** Runs `task` every `ms` until the returned function is called (the presence renewal). */
  readonly every: (ms: number, task: () => void) => () => void;
  /** Faults nobody awaits (a failed leave or renewal); production logs them. */
  readonly reportFault: (error: unknown, context: string) => void;
}

export interface CollaborationOpenInput {
  readonly clientId: string;
  readonly identity: Identity;
  readonly connection: ClientConnection;
  readonly projectId: string;
  /** The id of the last stream entry the client saw before it reconnected (docs/adr/0051). */
  readonly lastId?: string;
}

/** One open collaboration socket, as the transport drives it. */
export interface CollaborationSocket {
  /** A message from the client (parsed JSON, or undefined). */
  receive(message: unknown): void;
  /** The socket closed. Idempotent. */
  end(): void;
}

/** The topic of a project's collaborators on this instance. */
export const collaborationTopic = (projectId: string): string => `collaboration:${projectId}`;

const PROJECT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const isCollaborationProjectId = (projectId: string): boolean => PROJECT_ID.test(projectId);

/**
 * The gateway side of collaboration (docs/adr/0050): one socket per client on
 * `/collaboration?project_id=...`. On open the client is joined on the project service, its own tap
 * on `collaboration:stream:{project_id}` starts (from `last_id` when it reconnects), and it gets
 * `collaboration_state` (document, version, clients) before any entry, so applying the entries in
 * order after it converges. Edits go to the project service one at a time per socket; each gets
 * one answer. The presence is renewed every third of its TTL while the socket is open.
 */
export class CollaborationSessions {
  constructor(private readonly deps: CollaborationSessionsDeps) {}

  async open(input: CollaborationOpenInput): Promise<Result<CollaborationSocket, DomainFailure>> {
    const { registry, fanOut, projects } = this.deps;
    const { clientId, identity, connection, projectId } = input;
    const registered = registry.register({
      clientId,
      userId: identity.userId,
      sessionId: identity.sessionId,
      subscriptions: [collaborationTopic(projectId)],
      connectionType: 'websocket',
      connection,
    });
    if (!registered.ok) return registered;
    // The tap starts before the state is read, and holds its entries until the state is sent: nothing
    // appended after the state was read can be missed, and what came before is older than the state.
    let held: StreamEntry[] | undefined = [];
    const forward = (entries: readonly StreamEntry[]): void => {
      if (held) held.push(...entries);
      else this.forward(projectId, connection, entries);
    };
    const unfollow = fanOut.follow(
      Streams.collaboration(projectId),
      { onEntries: forward },
      input.lastId === undefined ? {} : { after: input.lastId },
    );
    let joined: Result<JoinedCollaboration, DomainFailure>;
    try {
      joined = await projects.join(projectId, identity.userId, clientId);
    } catch (error) {
      unfollow();
      registry.unregister(clientId);
      throw error;
    }
    if (!joined.ok) {
      unfollow();
      registry.unregister(clientId);
      return joined;
    }
    connection.send([stateMessage(projectId, clientId, identity.userId, joined.value)], 'essential');
    const pending = held;
    held = undefined;
    this.forward(projectId, connection, pending);
    return ok(this.session(input, joined.value, unfollow));
  }

  private session(input: CollaborationOpenInput, joined: JoinedCollaboration, unfollow: () => void): CollaborationSocket {
    const { projects, registry, reportFault } = this.deps;
    const { clientId, identity, connection, projectId } = input;
    let ended = false;
    let edits: Promise<void> = Promise.resolve();
    const stopRenewing = this.deps.every(Math.max(100, Math.floor(joined.presenceTtlMs / 3)), () => {
      projects.join(projectId, identity.userId, clientId).then(
        (renewed) => {
          if (!renewed.ok && !ended)
            connection.close(renewed.error.kind === 'not_found' ? 'not_found' : 'forbidden', renewed.error.message);
        },
        (error: unknown) => reportFault(error, `renewing collaboration presence of ${clientId}`),
      );
    });
    return {
      receive: (message) => {
        if (ended) return;
        const edit = editOf(message, input, identity.userId);
        if ('problem' in edit) {
          connection.send([{ type: 'error', code: 'bad_message', message: edit.problem }], 'essential');
          return;
        }
        edits = edits.then(() => this.edit(edit.value, connection)).catch((error: unknown) => reportFault(error, 'collaboration edit'));
      },
      end: () => {
        if (ended) return;
        ended = true;
        stopRenewing();
        unfollow();
        registry.unregister(clientId);
        projects
          .leave(projectId, identity.userId, clientId)
          .catch((error: unknown) => reportFault(error, `leaving collaboration of ${projectId}`));
      },
    };
  }

  private async edit(edit: CollaborationEdit, connection: ClientConnection): Promise<void> {
    let answer: Result<EditAnswer, DomainFailure>;
    try {
      answer = await this.deps.projects.edit(edit);
    } catch (error) {
      if (!(error instanceof DomainFailureError)) throw error;
      answer = err(error.failure);
    }
    connection.send([answerMessage(edit.opId, answer)], 'essential');
  }

  private forward(projectId: string, connection: ClientConnection, entries: readonly StreamEntry[]): void {
    const messages = entries.flatMap((entry) => entryMessage(projectId, entry));
    if (messages.length === 0) return;
    connection.send(messages, 'essential');
    if (messages.some((message) => message.type === 'project_deleted')) connection.close('finished', 'the project was deleted');
  }
}

type Parsed<T> = { readonly value: T } | { readonly problem: string };

const editOf = (message: unknown, input: CollaborationOpenInput, userId: string): Parsed<CollaborationEdit> => {
  if (typeof message !== 'object' || message === null) return { problem: 'messages are JSON objects with a type' };
  const { type, op_id: opId, base_version: baseVersion, patch } = message as Record<string, unknown>;
  if (type !== 'edit') return { problem: `unknown message type ${JSON.stringify(type)}: send {"type":"edit",...} or {"type":"ping"}` };
  if (typeof opId !== 'string' || opId === '' || opId.length > 128) return { problem: 'op_id must be text of 1..128 characters' };
  if (typeof baseVersion !== 'number' || !Number.isSafeInteger(baseVersion)) return { problem: 'base_version must be a whole number' };
  if (!Array.isArray(patch)) return { problem: 'patch must be a list of JSON Patch operations' };
  const operations = patch.map((item: unknown) => {
    const { op, path, value } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    return {
      op: typeof op === 'string' ? op : '',
      path: typeof path === 'string' ? path : '',
      ...(typeof value === 'string' ? { value } : {}),
    };
  });
  return { value: { projectId: input.projectId, userId, clientId: input.clientId, opId, baseVersion, patch: operations } };
};

const documentJson = (document: JoinedCollaboration['document']) => ({
  name: document.name,
  description: document.description,
  configuration: { ...document.configuration },
  version: document.version,
});

/** Sent first: where the session stands. */
const stateMessage = (projectId: string, clientId: string, userId: string, joined: JoinedCollaboration): GatewayMessage => ({
  type: 'collaboration_state',
  project_id: projectId,
  client_id: clientId,
  user_id: userId,
  role: joined.role,
  stream_key: joined.streamKey,
  presence_ttl_ms: joined.presenceTtlMs,
  clients: joined.clients.map((client) => ({ client_id: client.clientId, user_id: client.userId, role: client.role })),
  document: documentJson(joined.document),
});

const answerMessage = (opId: string, answer: Result<EditAnswer, DomainFailure>): GatewayMessage => {
  if (!answer.ok) {
    const { code, message, violations } = answer.error;
    return { type: 'edit_rejected', op_id: opId, code, message, ...(violations ? { violations } : {}) };
  }
  const value = answer.value;
  switch (value.outcome) {
    case 'applied':
      return { type: 'edit_applied', op_id: opId, version: value.version, rebased: value.rebased };
    case 'unchanged':
      return { type: 'edit_applied', op_id: opId, version: value.version, unchanged: true };
    case 'conflict':
      return {
        type: 'edit_conflict',
        op_id: opId,
        path: value.path,
        current_value: value.currentValue ?? null,
        changed_in: value.changedIn,
        changed_by: value.changedBy,
        version: value.version,
        document: documentJson(value.document),
      };
  }
};

/** A stream entry as collaborators receive it, with its entry id to resume from; unknown entries are skipped. */
const entryMessage = (projectId: string, entry: StreamEntry): GatewayMessage[] => {
  const fields = entry.fields;
  switch (fields['type']) {
    case 'edit':
      return [
        {
          type: 'edit',
          id: entry.id,
          project_id: projectId,
          version: Number(fields['version']),
          user_id: fields['user_id'] ?? '',
          client_id: fields['client_id'] ?? '',
          op_id: fields['op_id'] ?? '',
          ops: parseOps(fields['ops']),
        },
      ];
    case 'joined':
    case 'left':
      return [
        {
          type: fields['type'],
          id: entry.id,
          project_id: projectId,
          user_id: fields['user_id'] ?? '',
          client_id: fields['client_id'] ?? '',
          role: fields['role'] ?? '',
          ...(fields['reason'] ? { reason: fields['reason'] } : {}),
        },
      ];
    case 'deleted':
      return [{ type: 'project_deleted', id: entry.id, project_id: projectId, user_id: fields['user_id'] ?? '' }];
    default:
      return [];
  }
};

const parseOps = (text: string | undefined): unknown[] => {
  try {
    const ops: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(ops) ? ops : [];
  } catch {
    return [];
  }
};
