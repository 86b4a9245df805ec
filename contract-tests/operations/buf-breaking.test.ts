import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`, GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() };

/** Runs a command in `cwd`; resolves with its exit code and output instead of throwing on a failure. */
const run = async (cwd: string, file: string, ...args: string[]): Promise<{ code: number; output: string }> => {
  try {
    const { stdout, stderr } = await exec(file, args, { cwd, env, timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};
const git = async (cwd: string, ...args: string[]): Promise<string> => {
  const result = await run(cwd, 'git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.output}`);
  return result.output.trim();
};

/** scripts/buf-breaking.sh, run in a repository made for the case: which base it picks, and what it decides. */
describe('buf breaking against the right base (scripts/buf-breaking.sh)', () => {
  let scratch: string;
  let repo: string;
  const breaking = (cwd: string) => run(cwd, 'bash', 'scripts/buf-breaking.sh');
  const renameField = async (cwd: string) => {
    const file = join(cwd, 'proto/auth.proto');
    await writeFile(file, (await readFile(file, 'utf8')).replace('string calling_service = 2;', 'string caller = 2;'));
  };
  const addComment = async (cwd: string) => {
    const file = join(cwd, 'proto/auth.proto');
    await writeFile(file, `${await readFile(file, 'utf8')}\n// A trailing comment: compatible.\n`);
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'meshwork-buf-breaking-'));
    repo = join(scratch, 'repo');
    await mkdir(join(repo, 'proto'), { recursive: true });
    await mkdir(join(repo, 'scripts'));
    for (const file of ['buf.yaml', 'scripts/buf-breaking.sh', 'proto/auth.proto']) await copyFile(join(root, file), join(repo, file));
    await git(repo, 'init', '-q');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-qm', 'first');
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('passes with a message when there is nothing to compare with (one commit, as in a --depth 1 clone)', async () => {
    const result = await breaking(repo);
    expect(result, result.output).toMatchObject({ code: 0 });
    expect(result.output).toContain('skipped');
    const shallow = join(scratch, 'shallow');
    await git(scratch, 'clone', '-q', '--depth', '1', `file://${repo}`, shallow);
    const cloned = await breaking(shallow);
    expect(cloned, cloned.output).toMatchObject({ code: 0 });
    expect(cloned.output).toContain('skipped');
  });

  it('on a branch: against its merge base with main, compatible changes pass and a renamed field fails', async () => {
    await git(repo, 'checkout', '-qb', 'feature');
    await addComment(repo);
    await git(repo, 'commit', '-qam', 'comment');
    const compatible = await breaking(repo);
    expect(compatible, compatible.output).toMatchObject({ code: 0 });
    expect(compatible.output).toContain(`against ${await git(repo, 'rev-parse', '--short', 'main')}`);
    await renameField(repo);
    const broken = await breaking(repo);
    expect(broken.code, broken.output).not.toBe(0);
    expect(broken.output).toContain('changed name from "calling_service" to "caller"');
    await git(repo, 'checkout', '-q', '--', '.');
  });

  it('on main (CI): against the parent commit, and against the last tag once there is one', async () => {
    await git(repo, 'checkout', '-q', 'main');
    await git(repo, 'merge', '-q', '--ff-only', 'feature');
    const merged = await breaking(repo);
    expect(merged, merged.output).toMatchObject({ code: 0 });
    await git(repo, 'tag', 'v0.1.0');
    await renameField(repo);
    await git(repo, 'commit', '-qam', 'rename');
    await addComment(repo);
    await git(repo, 'commit', '-qam', 'another comment');
    // HEAD's parent already has the rename; the release does not.
    const againstTag = await breaking(repo);
    expect(againstTag.code, againstTag.output).not.toBe(0);
    expect(againstTag.output).toContain('(v0.1.0)');
  });
});
