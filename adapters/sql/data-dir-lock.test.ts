import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  let root: string;
  let dataDir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'meshwork-lock-'));
    dataDir = join(root, 'auth');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a second claim while the first holds the directory, and allows one after release', async () => {
    const first = await lockDataDir(dataDir);

    await expect(lockDataDir(dataDir)).rejects.toThrow(/in use by process \d+.*PostgreSQL/);

    await first.release();
    const second = await lockDataDir(dataDir);
    await second.release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('takes over a lock left by a process that is gone, and then holds it for this process', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const gonePid = Number(gone.stdout.toString());
    expect(gonePid).toBeGreaterThan(0);
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: gonePid, host: hostname() }));

    const lock = await lockDataDir(dataDir);

    expect(JSON.parse(await readFile(`${dataDir}.lock`, 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    await expect(lockDataDir(dataDir)).rejects.toThrow(`in use by process ${process.pid}`);
    await lock.release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('takes over a lock file it cannot read', async () => {
    await writeFile(`${dataDir}.lock`, 'not json');

    const lock = await lockDataDir(dataDir);

    expect(JSON.parse(await readFile(`${dataDir}.lock`, 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    await lock.release();
  });

  it('counts a lock of another host as held', async () => {
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: process.pid, host: `not-${hostname()}` }));

    await expect(lockDataDir(dataDir)).rejects.toThrow(/in use/);
  });
});
