import { connectSocket } from '../gateway/ws-client.js';

/**
 * Whether a WebSocket offered `authorization` (`Bearer <token>`, sent as the `bearer` subprotocol;
 * none: no subprotocol and no auth message) is still open after `watchMs`: admitted. A refused
 * upgrade or a close within that time is a refusal.
 */
export const socketOutcome = async (url: string, authorization: string | undefined, watchMs: number): Promise<boolean> => {
  const token = authorization?.replace(/^Bearer /, '');
  const socket = connectSocket(url, token === undefined ? undefined : ['bearer', token]);
  try {
    await socket.opened;
  } catch {
    return false;
  }
  const closedInTime = await Promise.race([
    socket.closed.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), watchMs)),
  ]);
  await socket.close();
  return !closedInTime;
};
