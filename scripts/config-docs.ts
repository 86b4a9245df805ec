/** Writes docs/configuration.md from the settings catalogue (`npm run docs:config`). */
import { writeFileSync } from 'node:fs';
import { configurationMarkdown } from '../composition/settings/settings-docs.js';

const path = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(path, configurationMarkdown());
console.log(`wrote ${path.pathname}`);
