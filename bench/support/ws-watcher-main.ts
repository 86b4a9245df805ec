/**
 * Watches one simulation's stream for the simulation-stream benchmark from a process of its own,
 * as a real client would be, so that its event loop is not the gateway's:
 *   node --import tsx bench/support/ws-watcher-main.ts <ws-url> <token> <mark>
 * Each sample marked `nodes_active === mark` carries its send time in `simulation_step`, in epoch
 * ms with a fraction (`performance.timeOrigin + performance.now()`, comparable across processes of
 * one machine). Prints `open` once connected, then answers stdin: `reset` (forget, prints `reset`),
 * `count` (prints `count <n>`), `report` (prints `report <json latencies in ms>`).
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, token, mark] = process.argv.slice(2) as [string, string, string];
const latencies: number[] = [];
const socket = new WebSocket(url, ['bearer', token]);
socket.on('message', (data) => {
  const arrived = performance.timeOrigin + performance.now();
  const message = JSON.parse(data.toString()) as { type: string; nodes_active?: number; simulation_step?: number };
  if (message.type === 'simulation_metrics' && message.nodes_active === Number(mark)) latencies.push(arrived - message.simulation_step!);
});
socket.once('open', () => console.log('open'));
socket.once('error', (error) => {
  console.log(`failed ${String(error)}`);
  process.exit(1);
});

for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  if (command === 'reset') {
    latencies.length = 0;
    console.log('reset');
  } else if (command === 'count') {
    console.log(`count ${latencies.length}`);
  } else if (command === 'report') {
    console.log(`report ${JSON.stringify(latencies)}`);
  }
}
socket.close();
