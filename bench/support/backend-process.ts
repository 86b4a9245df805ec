import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePorts } from '../../test-support/free-ports.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BackendProcess {
  readonly port: number;
  readonly address: string;
  /** SIGKILL: the process dies with its connections, as in a crash. */
  kill(): Promise<void>;
}

/** Starts `auth-backend-main.ts` in a child process on a free port and resolves once it listens. */
export const startBackendProcess = async (): Promise<BackendProcess> => {
  const [port] = await findFreePorts(1);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/auth-backend-main.ts', String(port)], { cwd: repoRoot });
  let output = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend on ${port} not ready:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(`ready ${port}`)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`backend on ${port} exited with ${code}:\n${output}`)));
  });
  return {
    port: port!,
    address: `127.0.0.1:${port}`,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
};
