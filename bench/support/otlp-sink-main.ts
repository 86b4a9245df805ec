/**
 * An OTLP/HTTP receiver that keeps nothing, in a process of its own so that receiving spans costs
 * the benchmarked process nothing, as with a collector on another machine:
 *   node --import tsx bench/support/otlp-sink-main.ts <port>
 * Answers every POST with 200 once it has read its body and counted its spans; `GET /stats` answers the
 * requests, bytes and spans received so far, per path (each traced mesh posts to a path of its own).
 * Prints `ready <port>` once it listens.
 */
import { createServer } from 'node:http';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { decodeOtlpTraces } from '../../test-support/otlp-receiver.js';

/**
 * The spans of a protobuf ExportTraceServiceRequest, counted without decoding them (resource_spans = 1,
 * scope_spans = 2, spans = 2): this process shares the machine's cores with the one measured.
 */
const countProtobufSpans = (bytes: Uint8Array, depth = 0): number => {
  const reader = new BinaryReader(bytes);
  let spans = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    const wanted = depth === 0 ? field === 1 : field === 2;
    if (!wanted || wireType !== WireType.LengthDelimited) reader.skip(wireType, field);
    else if (depth === 2) {
      reader.skip(wireType, field);
      spans += 1;
    } else spans += countProtobufSpans(reader.bytes(), depth + 1);
  }
  return spans;
};

const port = Number(process.argv[2] ?? 0);
const stats: Record<string, { requests: number; bytes: number; spans: number }> = {};
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(stats));
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const contentType = request.headers['content-type'] ?? 'application/x-protobuf';
    const entry = (stats[request.url ?? '/'] ??= { requests: 0, bytes: 0, spans: 0 });
    entry.requests += 1;
    entry.bytes += body.length;
    entry.spans += contentType.startsWith('application/json') ? decodeOtlpTraces(body, contentType).length : countProtobufSpans(body);
    response.writeHead(200, { 'content-type': contentType });
    response.end();
  });
});
server.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
process.once('SIGTERM', () => process.exit(0));
