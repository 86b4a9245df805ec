import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of a server that counts the connections passing through it. */
export interface CountingProxy {
  /** `127.0.0.1:port` to dial instead of the server. */
  readonly address: string;
  /** Connections open now. */
  open(): number;
  /** Connections accepted since the start. */
  accepted(): number;
  close(): Promise<void>;
}

/**
 * Real sockets, counted where they arrive: each accepted connection is piped to `targetPort` and
 * counted until either side closes it. This is how the tests prove that N pooled channels are N
 * TCP connections, not N channels sharing one.
 */
export const startCountingProxy = (targetPort: number): Promise<CountingProxy> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const incomingSockets = new Set<Socket>();
    let accepted = 0;
    const server: Server = createServer((incoming) => {
      accepted += 1;
      incomingSockets.add(incoming);
      sockets.add(incoming);
      const outgoing = connect(targetPort, '127.0.0.1');
      sockets.add(outgoing);
      const closeBoth = () => {
        incomingSockets.delete(incoming);
        sockets.delete(incoming);
        sockets.delete(outgoing);
        incoming.destroy();
        outgoing.destroy();
      };
      // Without this, Nagle's algorithm meets delayed ACKs and every call takes 40 ms more.
      incoming.setNoDelay(true);
      outgoing.setNoDelay(true);
      incoming.pipe(outgoing).pipe(incoming);
      incoming.on('close', closeBoth).on('error', closeBoth);
      outgoing.on('close', closeBoth).on('error', closeBoth);
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        address: `127.0.0.1:${port}`,
        open: () => incomingSockets.size,
        accepted: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
