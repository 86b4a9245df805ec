import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A relative link in a Markdown file that does not resolve. */
export interface BrokenLink {
  /** The Markdown file, relative to the root searched. */
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly reason: string;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git', 'data', 'test-output', 'coverage']);

/** Every `*.md` file under `root`, skipping dependencies, build output and run-time data. */
export const markdownFiles = (root: string): string[] => {
  const found: string[] = [];
  const visit = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) visit(join(directory, entry.name));
      } else if (entry.isFile() && entry.name.endsWith('.md')) {
        found.push(join(directory, entry.name));
      }
    }
  };
  visit(root);
  return found.sort();
};

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export const headingSlug = (heading: string): string =>
  heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
const proseLines = (text: string): { readonly line: number; readonly text: string }[] => {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text: raw });
  });
  return lines;
};

/** The anchors a Markdown file offers: its headings (numbered when repeated, as GitHub does) and explicit ids. */
export const anchorsOf = (text: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = headingSlug(heading);
      const count = seen.get(slug) ?? 0;
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
      seen.set(slug, count + 1);
    }
    for (const match of line.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
};

/** The link targets of a Markdown text: inline links and images, and reference definitions. */
export const linksOf = (text: string): { readonly line: number; readonly target: string }[] => {
  const links: { line: number; target: string }[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    const prose = raw.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: (match[1] ?? '').replace(/^<|>$/g, '') });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/.exec(prose)?.[1];
    if (definition !== undefined) links.push({ line, target: definition.replace(/^<|>$/g, '') });
  }
  return links;
};

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** Relative links of every Markdown file under `root` whose file, or whose `#anchor` in a Markdown file, is missing. */
export const brokenLinks = (root: string): BrokenLink[] => {
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (file: string): Set<string> => {
    let anchors = anchorCache.get(file);
    if (anchors === undefined) {
      anchors = anchorsOf(readFileSync(file, 'utf8'));
      anchorCache.set(file, anchors);
    }
    return anchors;
  };
  for (const file of markdownFiles(root)) {
    for (const { line, target } of linksOf(readFileSync(file, 'utf8'))) {
      if (target === '' || isExternal(target)) continue;
      const report = (reason: string): void => {
        broken.push({ file: relative(root, file), line, target, reason });
      };
      const hashAt = target.indexOf('#');
      const path = decodeURIComponent(hashAt === -1 ? target : target.slice(0, hashAt));
      const anchor = hashAt === -1 ? undefined : decodeURIComponent(target.slice(hashAt + 1));
      const resolved = path === '' ? file : path.startsWith('/') ? join(root, path) : resolve(dirname(file), path);
      if (!existsSync(resolved)) {
        report('no such file');
        continue;
      }
      if (anchor !== undefined && anchor !== '' && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        if (!anchorsIn(resolved).has(anchor.toLowerCase())) report(`no heading #${anchor}`);
      }
    }
  }
  return broken;
};

const CODE_FILE = /\.(ts|js|mjs|cjs)$/;

/**
 * References in code to the repository's documentation by its path from the root
 * (`docs/specification.md#numbers`), whose file or heading is missing. Code comments point at
 * sections of the docs; a renamed heading must not leave them dangling.
 */
export const brokenDocReferencesInCode = (root: string, skip: readonly string[] = []): BrokenLink[] => {
  const broken: BrokenLink[] = [];
  const visit = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (skip.includes(relative(root, path))) continue;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && entry.name !== 'generated') visit(path);
        continue;
      }
      if (!entry.isFile() || !CODE_FILE.test(entry.name)) continue;
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((text, index) => {
          for (const match of text.matchAll(/(?<![\w./-])(docs\/[\w./-]+\.md)(?:#([\w-]+))?/g)) {
            const [target, file, anchor] = [match[0], match[1] ?? '', match[2]];
            const report = (reason: string): void => {
              broken.push({ file: relative(root, path), line: index + 1, target, reason });
            };
            const resolved = join(root, file);
            if (!existsSync(resolved)) report('no such file');
            else if (anchor !== undefined && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) report(`no heading #${anchor}`);
          }
        });
    }
  };
  visit(root);
  return broken;
};
