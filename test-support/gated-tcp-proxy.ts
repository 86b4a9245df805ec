import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy whose gate the test opens and shuts: shut, it cuts every connection and refuses new ones. */
export interface GatedTcpProxy {
  readonly port: number;
  /** Cuts the connections through it and refuses new ones until `open()`. */
  shut(): void;
  open(): void;
  close(): Promise<void>;
}

/** Listens on a free port of `host` (127.0.0.1) and pipes each connection to 127.0.0.1:`targetPort` while the gate is open. */
export const startGatedTcpProxy = (targetPort: number, host = '127.0.0.1'): Promise<GatedTcpProxy> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    let isOpen = true;
    const track = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    };
    const server: Server = createServer((incoming) => {
      track(incoming);
      if (!isOpen) {
        incoming.destroy();
        return;
      }
      const outgoing = connect(targetPort, '127.0.0.1');
      track(outgoing);
      incoming.pipe(outgoing);
      outgoing.pipe(incoming);
      incoming.on('close', () => outgoing.destroy());
      outgoing.on('close', () => incoming.destroy());
    });
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({
        port: address.port,
        shut: () => {
          isOpen = false;
          sockets.forEach((socket) => socket.destroy());
        },
        open: () => {
          isOpen = true;
        },
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((socket) => socket.destroy());
            server.close(() => done());
          }),
      });
    });
  });
