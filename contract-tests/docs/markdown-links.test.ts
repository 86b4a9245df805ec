import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorsOf, brokenDocReferencesInCode, brokenLinks, headingSlug, linksOf } from './markdown-links.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('relative links in Markdown files', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'meshwork-md-links-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  };

  it('all resolve in this repository, files and #anchors', () => {
    const broken = brokenLinks(repositoryRoot).map((link) => `${link.file}:${link.line} ${link.target} (${link.reason})`);
    expect(broken).toEqual([]);
  });

  it('and so do the references to docs/*.md#section in code comments', () => {
    const broken = brokenDocReferencesInCode(repositoryRoot, ['contract-tests/docs']).map(
      (link) => `${link.file}:${link.line} ${link.target} (${link.reason})`,
    );
    expect(broken).toEqual([]);
  });

  it('reports a code comment pointing at a missing file or heading of the docs', () => {
    write('docs/spec.md', '# Spec\n\n## Numbers\n');
    write('core/a.ts', '/** See docs/spec.md#numbers and docs/spec.md#gone. */\n// docs/none.md\nimport x from "../docs/spec.md";\n');
    expect(brokenDocReferencesInCode(scratch).map(({ file, line, target, reason }) => ({ file, line, target, reason }))).toEqual([
      { file: join('core', 'a.ts'), line: 1, target: 'docs/spec.md#gone', reason: 'no heading #gone' },
      { file: join('core', 'a.ts'), line: 2, target: 'docs/none.md', reason: 'no such file' },
    ]);
  });

  it('reports a missing file, a missing heading and a missing file behind a reference definition', () => {
    write('docs/guide.md', '# Guide\n\n## Two `words`, here\n\nSee [there](../README.md#nowhere).\n');
    write(
      'README.md',
      [
        '# Readme',
        '[ok](docs/guide.md#two-words-here) [gone](docs/missing.md) [web](https://example.com/x.md)',
        '[self](#readme) ![img](docs/none.png)',
        '```sh',
        '[not a link](inside/a/fence.md)',
        '```',
        '[ref]: docs/also-missing.md',
      ].join('\n'),
    );
    write('node_modules/pkg/README.md', '[ignored](nothing.md)');

    expect(brokenLinks(scratch).map(({ file, line, target, reason }) => ({ file, line, target, reason }))).toEqual([
      { file: 'README.md', line: 2, target: 'docs/missing.md', reason: 'no such file' },
      { file: 'README.md', line: 3, target: 'docs/none.png', reason: 'no such file' },
      { file: 'README.md', line: 7, target: 'docs/also-missing.md', reason: 'no such file' },
      { file: join('docs', 'guide.md'), line: 5, target: '../README.md#nowhere', reason: 'no heading #nowhere' },
    ]);
  });

  it('makes anchors as GitHub does, numbering repeated headings', () => {
    expect(headingSlug('0015. The mesh client: pooled connections, balancers')).toBe('0015-the-mesh-client-pooled-connections-balancers');
    expect(headingSlug('**Layer 1: gRPC** `grpc_port`')).toBe('layer-1-grpc-grpc_port');
    expect([...anchorsOf('# A\n## Notes\n## Notes\n```\n# not a heading\n```\n')]).toEqual(['a', 'notes', 'notes-1']);
  });

  it('reads inline links, images with titles, and angle-bracket targets', () => {
    expect(linksOf('[a](x.md "title") ![b](<y z.png>) `[c](code.md)`').map((link) => link.target)).toEqual(['x.md', 'y z.png']);
  });
});
