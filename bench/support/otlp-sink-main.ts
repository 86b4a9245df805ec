/**
 * An OTLP/HTTP receiver that keeps nothing, in a process of its own so that receiving spans costs
 * the benchmarked process nothing, as with a collector on another machine:
 *   node --import tsx bench/support/otlp-sink-main.ts <port>
 * Answers every POST with 200 after reading its body; `GET /stats` answers the requests and bytes
 * received so far. Prints `ready <port>` once it listens.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
let requests = 0;
let bytes = 0;
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ requests, bytes }));
    return;
  }
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    requests += 1;
    response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/x-protobuf' });
    response.end();
  });
});
server.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
process.once('SIGTERM', () => process.exit(0));
