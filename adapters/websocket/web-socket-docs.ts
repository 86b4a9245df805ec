import type { WebSocketDoc } from '../http/client-api/operation-doc.js';
import { CloseCodes } from './close-codes.js';
import { COLLABORATION_PATH } from './collaboration-route.js';
import { BEARER_PROTOCOL } from './socket-authentication.js';
import { WebSocketPaths } from './web-socket-hub.js';

/** The gateway's WebSockets as the API reference describes them (docs/adr/0016, 0049, 0050, 0051, 0052, 0053). */

const AUTHENTICATION =
  'Upgrade over HTTP/1.1 on the client port. The token comes in an `Authorization: Bearer <token>` header of the upgrade ' +
  `(clients outside browsers), as the subprotocol after \`${BEARER_PROTOCOL}\` ` +
  `(\`new WebSocket(url, ['${BEARER_PROTOCOL}', token])\`), or as the first message \`{"type":"auth","token":"…"}\` within 5 s.`;

const REFUSALS = {
  403: 'A browser page of an origin that may not open sockets here.',
  404: 'No WebSocket endpoint at this path, or the gateway is stopping.',
  429: 'Too many connections from your address (`Retry-After`).',
};

const CLOSES = {
  [CloseCodes.normal]: 'The simulation finished.',
  [CloseCodes.goingAway]: 'The gateway is stopping.',
  [CloseCodes.policy]: 'A protocol violation (a missing id, a `last_id` that is not `<ms>-<seq>`, a first message that is not `auth`).',
  [CloseCodes.tooBig]: 'A message larger than the limit (16 KiB by default).',
  [CloseCodes.tryAgainLater]: 'A dependency could not answer, or the client read too slowly.',
  [CloseCodes.unauthenticated]: 'No valid token, or the session ended (a logout: `session_ended` comes first).',
  [CloseCodes.forbidden]: 'Not yours to watch.',
  [CloseCodes.notFound]: 'No such simulation or project that you can read.',
  [CloseCodes.tooMany]: 'You hold the most sockets allowed per user.',
};

const LAST_ID = {
  description: 'Resume after this stream entry id (the `id` of the last message you got): what was appended meanwhile comes first.',
  required: false,
  schema: { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
};

const ID = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' };

const PING = {
  auth: '`{"type":"auth","token":"…"}`, first, when the token is neither in a header nor a subprotocol.',
  ping: '`{"type":"ping"}`: answered with `pong`.',
};

export const webSocketDocs: readonly WebSocketDoc[] = [
  {
    path: WebSocketPaths.simulationStream,
    summary: 'A simulation’s samples, live',
    description: `${AUTHENTICATION} The status first, then 10 samples a second, then \`simulation_completed\` and close 1000.`,
    query: {
      simulation_id: { description: 'The simulation to watch (yours, or of a project you can read).', required: true, schema: ID },
      last_id: LAST_ID,
    },
    serverMessages: {
      simulation_status: '`{simulation_id, status, progress_percentage}`: sent first.',
      simulation_metrics: '`{id, simulation_id, timestamp, cpu_total, avg_latency, …}`: one sample, with its stream entry `id`.',
      simulation_completed: '`{simulation_id, status}`: sent last.',
      pong: 'The answer to `ping`.',
    },
    clientMessages: PING,
    refusals: REFUSALS,
    closeCodes: CLOSES,
  },
  {
    path: WebSocketPaths.events,
    summary: 'Your events and notifications',
    description: `${AUTHENTICATION} Project events you may see, and your notifications.`,
    query: { last_id: LAST_ID },
    serverMessages: {
      connected: '`{client_id, user_id, instance_id}`: sent first; `client_id` joins a collaboration session.',
      event: '`{channel, event}`: a pub/sub event you may see.',
      notification: '`{id or channel, notification}`: one of your notifications (`id` when it comes from your stream).',
      notify: '`{user_id, notification}`: a job of `async:notifications:queue`.',
      pong: 'The answer to `ping`.',
    },
    clientMessages: PING,
    refusals: REFUSALS,
    closeCodes: CLOSES,
  },
  {
    path: COLLABORATION_PATH,
    summary: 'Edit a project together',
    description:
      `${AUTHENTICATION} The owner, editors and viewers join; viewers watch. \`collaboration_state\` first, then every entry ` +
      'of the project’s collaboration stream with its `id`; each edit you send gets one answer (docs/adr/0050).',
    query: {
      project_id: { description: 'The project whose session to join.', required: true, schema: ID },
      last_id: LAST_ID,
    },
    serverMessages: {
      collaboration_state: '`{document, version, clients, client_id, role, stream_key, presence_ttl_ms}`: sent first.',
      edit: '`{id, version, ops, user_id, client_id, op_id}`: an applied edit.',
      joined: '`{id, client_id, user_id}`: a collaborator joined.',
      left: '`{id, client_id, user_id, reason}`: a collaborator left (`left` or `timeout`).',
      project_deleted: 'The project is gone; close 1000 follows.',
      edit_applied: '`{op_id, version, rebased}`: your edit is stored.',
      edit_conflict:
        '`{op_id, path, current_value, changed_in, changed_by, document}`: another client changed that path since (`changed_in` 0: the edit was made against a version older than the edit window, `STREAM_RETENTION_COLLABORATION` versions back).',
      edit_rejected: '`{op_id, code, message, violations?}`: your edit is refused (a viewer’s, or an invalid patch).',
      pong: 'The answer to `ping`.',
    },
    clientMessages: {
      ...PING,
      edit: '`{"type":"edit","op_id","base_version","patch"}`: JSON Patch (`add`, `replace`, `remove` on `/name`, `/description`, `/configuration/<key>`).',
    },
    refusals: REFUSALS,
    closeCodes: CLOSES,
  },
];
