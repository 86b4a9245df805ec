import { readFile, writeFile } from 'node:fs/promises';

/** Heading of the soak's section of `bench/RESULTS.md`; `npm run bench` keeps the section when it rewrites the file. */
export const SOAK_HEADING = '## Soak: memory under churn (`npm run soak`)';

const HEADER = [
  SOAK_HEADING,
  '',
  'The whole mesh in a child process as `npm start` runs it, churned through the client API (log in, create and update a project, start two',
  'real-time simulations, watch each on `/simulation/stream`, open `/events`, stop, drop the sockets, log out) by concurrent clients.',
  'RSS from /proc and heap used from `/metrics`, medians of the last 30 s of warm-up and of the run; the run fails above +10%.',
  'One row per kind of run, the latest kept.',
  '',
  '| run | date | machine | work | RSS after warm-up | RSS at the end | change | RSS idle 10 s later | heap after warm-up | heap at the end | met |',
  '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];

/** The soak section of `markdown`, from its heading to the next `## ` heading or the end; '' when absent. */
export const soakSection = (markdown: string): string => {
  const start = markdown.indexOf(SOAK_HEADING);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + SOAK_HEADING.length);
  return markdown.slice(start, next < 0 ? undefined : next + 1).trimEnd();
};

/** Writes `row` (a table row whose first cell is `key`) into the soak section of `file`, replacing the row of the same key. */
export const recordSoak = async (file: string, key: string, row: string): Promise<void> => {
  const markdown = await readFile(file, 'utf8').catch(() => '# Benchmark results\n');
  const section = soakSection(markdown);
  const rows =
    section === ''
      ? []
      : section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| run |') && !line.startsWith('| ---'));
  const kept = rows.filter((line) => line.split('|')[1]?.trim() !== key);
  const updated = [...HEADER, ...kept, row].join('\n');
  const next = section === '' ? `${markdown.trimEnd()}\n\n${updated}\n` : markdown.replace(section, updated);
  await writeFile(file, next);
};
