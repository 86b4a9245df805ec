import type { WebSocketDoc } from '../http/client-api/operation-doc.js';
import { CloseCodes } from './close-codes.js';
import { BEARER_PROTOCOL } from './socket-authentication.js';
import { WebSocketPaths } from './web-socket-hub.js';

/** The gateway's WebSockets as the API reference describes them (docs/adr/0016, docs/adr/0049). */

const AUTHENTICATION =
  `Upgrade over HTTP/1.1 on the client port. The token comes as the subprotocol after \`${BEARER_PROTOCOL}\` ` +
  `(\`new WebSocket(url, ['${BEARER_PROTOCOL}', token])\`), or as the first message \`{"type":"auth","token":"…"}\` within 5 s.`;

const REFUSALS = {
  403: 'A browser page of an origin that may not open sockets here.',
  404: 'No WebSocket endpoint at this path, or the gateway is stopping.',
  429: 'Too many connections from your address (`Retry-After`).',
};

const CLOSES = {
  [CloseCodes.normal]: 'The simulation finished.',
  [CloseCodes.goingAway]: 'The gateway is stopping.',
  [CloseCodes.policy]: 'A protocol violation (a missing `simulation_id`, a first message that is not `auth`).',
  [CloseCodes.tooBig]: 'A message larger than the limit (16 KiB by default).',
  [CloseCodes.tryAgainLater]: 'A dependency could not answer, or the client read too slowly.',
  [CloseCodes.unauthenticated]: 'No valid token.',
  [CloseCodes.forbidden]: 'Not your simulation.',
  [CloseCodes.notFound]: 'No such simulation.',
  [CloseCodes.tooMany]: 'You hold the most sockets allowed per user.',
};

const PING = {
  auth: '`{"type":"auth","token":"…"}`, first, when the token is not a subprotocol.',
  ping: '`{"type":"ping"}`: answered with `pong`.',
};

export const webSocketDocs: readonly WebSocketDoc[] = [
  {
    path: WebSocketPaths.simulationStream,
    summary: 'A simulation’s samples, live',
    description: `${AUTHENTICATION} The status first, then 10 samples a second, then \`simulation_completed\` and close 1000.`,
    query: {
      simulation_id: {
        description: 'The simulation to watch (yours, or of a project you can read).',
        required: true,
        schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
      },
    },
    serverMessages: {
      simulation_status: '`{simulation_id, status, progress_percentage}`: sent first.',
      simulation_metrics: '`{simulation_id, timestamp, cpu_total, avg_latency, …}`: one sample.',
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
    description: `${AUTHENTICATION} Project events you may see, notifications, and collaboration updates.`,
    serverMessages: {
      connected: '`{client_id, user_id, instance_id}`: sent first; `client_id` joins a collaboration session.',
      event: '`{channel, event}`: a pub/sub event you may see.',
      notification: '`{id or channel, notification}`: one of your notifications.',
      notify: '`{user_id, notification}`: a job of `async:notifications:queue`.',
      pong: 'The answer to `ping`.',
    },
    clientMessages: PING,
    refusals: REFUSALS,
    closeCodes: CLOSES,
  },
];
