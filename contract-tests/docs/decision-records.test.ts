import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const adrDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/adr');

interface DecisionRecord {
  readonly file: string;
  readonly number: string;
  readonly text: string;
}

const records: DecisionRecord[] = readdirSync(adrDirectory)
  .filter((file) => file.endsWith('.md'))
  .sort()
  .map((file) => ({ file, number: file.slice(0, 4), text: readFileSync(resolve(adrDirectory, file), 'utf8') }));

const SECTIONS = ['Context', 'Options', 'Decision', 'Consequences', 'Confirmation'];

/** ADR numbers named on a metadata line such as `- Amended by: [ADR 0030](...), [ADR 0031](...)` (continued by indented lines). */
const linked = (text: string, label: string): string[] => {
  const line = new RegExp(`^- ${label}: (.*(?:\\n {2}.*)*)`, 'm').exec(text)?.[1] ?? '';
  return [...line.matchAll(/\(0*(\d{4})-[^)]*\.md\)/g)].map((match) => (match[1] ?? '').padStart(4, '0'));
};

/**
 * The relations between records: stated by the later record (ADR 0073, amending 0025). An accepted
 * record is never edited, so it gains no back-link; the back-links written before ADR 0073 must
 * still be answered by the later record.
 */
const RELATIONS: readonly (readonly [forward: string, backward: string])[] = [
  ['Amends', 'Amended by'],
  ['Supersedes', 'Superseded by'],
];
describe('decision records (ADRs 0025, 0073)', () => {
  it('are numbered NNNN-kebab-title.md, each number once, with its number in the title', () => {
    const numbers = records.map((record) => record.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const { file, number, text } of records) {
      expect(file, file).toMatch(/^\d{4}-[a-z0-9]+(-[a-z0-9]+)*\.md$/);
      expect(text.split('\n')[0], file).toMatch(new RegExp(`^# ${number}\\. \\S`));
    }
  });

  it('state a status and a date, and have every MADR section in order', () => {
    for (const { file, text } of records) {
      expect(text, file).toMatch(/^- Status: (proposed|accepted|deprecated|superseded)\b/m);
      expect(text, file).toMatch(/^- Date: \d{4}-\d{2}-\d{2}$/m);
      const positions = SECTIONS.map((section) => text.search(new RegExp(`^## ${section}$`, 'm')));
      const lacking = SECTIONS.filter((_, index) => positions[index] === -1);
      expect(lacking, `${file} lacks sections`).toEqual([]);
      expect(
        [...positions].sort((a, b) => a - b),
        `${file}: sections out of order`,
      ).toEqual(positions);
    }
  });

  it('name existing records in their amendments and supersessions, and answer every older back-link', () => {
    const byNumber = new Map(records.map((record) => [record.number, record]));
    const missing: string[] = [];
    for (const record of records) {
      for (const [forward, backward] of RELATIONS) {
        for (const other of linked(record.text, forward)) {
          const target = byNumber.get(other);
          if (target === undefined || Number(other) >= Number(record.number)) {
            missing.push(`${record.file} ${forward} ${other}, which is not an earlier record`);
          }
        }
        for (const other of linked(record.text, backward)) {
          const source = byNumber.get(other);
          if (source === undefined || !linked(source.text, forward).includes(record.number)) {
            missing.push(`${record.file} ${backward} ${other}, which does not say "${forward}: ${record.number}"`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('read as decisions, not as a changelog', () => {
    const narrative =
      /\b(issues? \d+( and \d+)? asks?|the (security|performance) issue|before this change|since ADR \d+|is being (tuned|measured)|by others)\b/i;
    const found = records.flatMap(({ file, text }) =>
      text
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => narrative.test(line))
        .map(({ line, index }) => `${file}:${index + 1}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });
});
