import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the dashboard, held in memory with what its answer needs. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly cacheControl: string;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Our own files change with the package (unhashed names): revalidate each time, a 304 costs little. */
const REVALIDATE = 'no-cache';
/** uPlot changes only with its npm version. */
const VENDOR = 'public, max-age=86400';

/** The vendored files, served under `/dashboard/vendor/`, read from the installed package. */
const vendorFiles = ['uplot/dist/uPlot.esm.js', 'uplot/dist/uPlot.min.css'];

/**
 * Where the page's files are: beside this module (source, or `dist/` after the build's copy step),
 * else in the package's source folder (a `tsc` run without the copy step).
 */
export const dashboardPublicDir = (): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'public');
  if (existsSync(beside)) return beside;
  return join(here, '..', '..', '..', '..', 'adapters', 'http', 'dashboard', 'public');
};

const assetOf = (body: Buffer, name: string, cacheControl: string): DashboardAsset => ({
  body,
  contentType: contentTypes[extname(name)] ?? 'application/octet-stream',
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  cacheControl,
});

/**
 * Every file of the dashboard by its name under `/dashboard/` (`app.js`, `vendor/uPlot.esm.js`),
 * read once: the page is small and a running gateway should not touch the disk per request.
 */
export const loadDashboardAssets = (publicDir: string = dashboardPublicDir()): ReadonlyMap<string, DashboardAsset> => {
  const assets = new Map<string, DashboardAsset>();
  for (const name of readdirSync(publicDir)) {
    if (contentTypes[extname(name)] === undefined) continue;
    assets.set(name, assetOf(readFileSync(join(publicDir, name)), name, REVALIDATE));
  }
  const require = createRequire(import.meta.url);
  for (const file of vendorFiles) {
    const name = `vendor/${file.split('/').at(-1)!}`;
    assets.set(name, assetOf(readFileSync(require.resolve(file)), name, VENDOR));
  }
  if (!assets.has('index.html')) throw new Error(`the dashboard's index.html is missing in ${publicDir}`);
  return assets;
};
