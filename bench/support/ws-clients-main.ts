/**
 * Opens WebSockets for the memory benchmark from a process of its own, so that the client side's
 * objects stay out of the measured heap:
 *   node --import tsx bench/support/ws-clients-main.ts <ws-url> <token>
 * Reads commands on stdin: `open <n>` opens n more sockets (50 handshakes at a time) and prints
 * `opened <total>`; `close` closes them all and prints `closed`.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, token] = process.argv.slice(2) as [string, string];
const sockets: WebSocket[] = [];
let closing = false;

const openOne = () =>
  new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url, ['bearer', token]);
    socket.once('open', () => {
      sockets.push(socket);
      resolve();
    });
    // A socket the gateway closes after opening (e.g. 4429, too many per user) would make the count a lie.
    socket.once('close', (code) => {
      if (!closing) console.log(`failed: socket closed by the server with ${code}`);
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
  });

const open = async (count: number) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < count) {
        next += 1;
        await openOne();
      }
    }),
  );
};

for await (const line of createInterface({ input: process.stdin })) {
  const [command, argument] = line.trim().split(' ');
  if (command === 'open') {
    await open(Number(argument)).then(
      () => console.log(`opened ${sockets.length}`),
      (error: unknown) => console.log(`failed ${String(error)}`),
    );
  } else if (command === 'close') {
    closing = true;
    // A socket already closed emits no second 'close': waiting for one would hang the benchmark.
    await Promise.all(
      sockets
        .splice(0)
        .map((socket) =>
          socket.readyState === WebSocket.CLOSED ? undefined : new Promise((resolve) => socket.once('close', resolve).close()),
        ),
    );
    closing = false;
    console.log('closed');
  }
}
