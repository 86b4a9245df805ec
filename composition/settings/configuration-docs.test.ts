import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Catalogue } from './catalogue.js';
import { settingsOf } from './read-settings.js';
import { configurationMarkdown, settingsHelp } from './settings-docs.js';

describe('docs/configuration.md', () => {
  it('is what the catalogue generates (run `npm run docs:config` after changing a setting)', () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(configurationMarkdown());
  });

  it('and --help list every setting of the catalogue with its default', () => {
    const help = settingsHelp();
    const docs = configurationMarkdown();
    for (const setting of settingsOf(Catalogue)) {
      expect(help).toContain(`  ${setting.env}  default: ${setting.defaultText}`);
      expect(docs).toContain(`| \`${setting.env}\` | ${setting.defaultText.replace(/\|/g, '\\|')} |`);
    }
  });

  it('names each variable once', () => {
    const names = settingsOf(Catalogue).map((setting) => setting.env);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});
