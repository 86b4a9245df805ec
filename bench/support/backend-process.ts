import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePorts } from '../../test-support/free-ports.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BackendProcess {
  readonly port: number;
  readonly address: string;
  /** The HTTP port, for a backend that also serves HTTP/JSON (`startDualBackendProcess`). */
  readonly httpPort?: number;
  /** SIGKILL: the process dies with its connections, as in a crash. */
  kill(): Promise<void>;
}

/** Starts `script` (under bench/support) with `ports` in a child process and resolves once it prints `ready <ports>`. */
const startScript = async (script: string, ports: readonly number[]): Promise<BackendProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/support/${script}`, ...ports.map(String)], { cwd: repoRoot });
  let output = '';
  const exited = once(child, 'exit');
  const ready = `ready ${ports.join(' ')}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} on ${ports.join(', ')} not ready:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(ready)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${script} on ${ports.join(', ')} exited with ${code}:\n${output}`)));
  });
  return {
    port: ports[0]!,
    address: `127.0.0.1:${ports[0]}`,
    ...(ports[1] !== undefined && { httpPort: ports[1] }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
};

/** Starts `auth-backend-main.ts` in a child process on a free port and resolves once it listens. */
export const startBackendProcess = async (): Promise<BackendProcess> => startScript('auth-backend-main.ts', await findFreePorts(1));

/** Starts `paced-backend-main.ts` (ValidateToken takes the token's number of ms) on a free port. */
export const startPacedBackendProcess = async (): Promise<BackendProcess> => startScript('paced-backend-main.ts', await findFreePorts(1));

/** Starts `dual-backend-main.ts` (ValidateToken over gRPC and over HTTP/JSON) on two free ports. */
export const startDualBackendProcess = async (): Promise<BackendProcess> => startScript('dual-backend-main.ts', await findFreePorts(2));

/** Starts `otlp-sink-main.ts` (an OTLP/HTTP receiver that counts and drops) on a free port. */
export const startOtlpSinkProcess = async (): Promise<BackendProcess> => startScript('otlp-sink-main.ts', await findFreePorts(1));
