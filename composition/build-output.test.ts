import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Test helpers that once lived in production folders (docs/adr/0037): none may come back under any folder. */
const movedHelpers = [
  'background-fixture',
  'gateway-test-bed',
  'gateway-users',
  'manual-clock',
  'manual-scheduler',
  'project-test-bed',
  'prometheus-text',
  'proto-files',
  'series-builders',
  'simulation-test-server',
  'standalone-context',
  'test-mesh',
  'unimplemented-service',
];

/** Why the source of an emitted file is a test helper, or undefined when it may ship. */
const testHelperReason = (source: string): string | undefined => {
  if (/\.test\.ts$/.test(source)) return 'a test file';
  if (/^(test-support|contract-tests|bench)\//.test(source)) return `from ${source.slice(0, source.indexOf('/'))}/`;
  if (/(^|\/)testing\//.test(source)) return 'from a testing/ folder';
  const name = source.slice(source.lastIndexOf('/') + 1).replace(/\.ts$/, '');
  if (movedHelpers.includes(name)) return 'a moved test helper';
  return undefined;
};

const emittedFiles = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
};

describe('what tsc -p tsconfig.build.json emits', () => {
  let outDir: string;
  let sources: string[];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'meshwork-build-'));
    // The build's own config into a directory of our own (not dist/, which other runs use). Types are
    // checked by `npm run lint`; --noCheck emits the same files in a third of the time.
    const args = [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--tsBuildInfoFile', join(outDir, '.tsbuildinfo'), '--noCheck'];
    await promisify(execFile)(process.execPath, args, { cwd: repoRoot, timeout: 170_000 });
    // rootDir is the repository, so the output mirrors the sources: x/y.js and x/y.js.map come from x/y.ts.
    sources = (await emittedFiles(outDir)).filter((file) => /\.js(\.map)?$/.test(file)).map((file) => file.replace(/\.js(\.map)?$/, '.ts'));
  }, 180_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('holds the services', () => {
    expect(sources).toContain('composition/main.ts');
    expect(sources).toContain('core/project/create-project.ts');
    expect(sources).toContain('adapters/grpc/grpc-server.ts');
    expect(existsSync(join(outDir, 'composition', 'main.js'))).toBe(true);
  });

  it('holds no test helper', () => {
    const helpers = [...new Set(sources)].flatMap((source) => {
      const reason = testHelperReason(source);
      return reason ? [`${source}: ${reason}`] : [];
    });
    expect(helpers).toEqual([]);
  });
});

describe('testHelperReason', () => {
  it.each([
    ['composition/launcher.test.ts', 'a test file'],
    ['test-support/free-ports.ts', 'from test-support/'],
    ['contract-tests/support/http2-client.ts', 'from contract-tests/'],
    ['bench/run.ts', 'from bench/'],
    ['core/simulation/testing/manual-scheduler.ts', 'from a testing/ folder'],
    ['composition/test-mesh.ts', 'a moved test helper'],
    ['composition/gateway/gateway-test-bed.ts', 'a moved test helper'],
  ])('names %s as %s', (source, reason) => {
    expect(testHelperReason(source)).toBe(reason);
  });

  it.each(['composition/main.ts', 'adapters/system/system-clock.ts', 'core/shared/testable.ts', 'adapters/http/bench-mark.ts'])(
    'lets %s ship',
    (source) => {
      expect(testHelperReason(source)).toBeUndefined();
    },
  );
});
