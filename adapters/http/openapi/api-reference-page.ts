import { createHash } from 'node:crypto';
import type { JsonObject } from './openapi-document.js';
import { OPENAPI_PATH } from './service-operations.js';

/**
 * The OpenAPI document as one self-contained HTML page (docs/adr/0049): rendered on the server,
 * no script, one inline style allowed by its hash, nothing fetched from elsewhere. Every string of
 * the document is escaped; `code` spans are the only markup descriptions may hold.
 */

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d232a;background:#fff}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #dfe3e8;padding-bottom:.2rem;margin-top:2.5rem}
code,pre{font:13px/1.4 ui-monospace,monospace;background:#f3f5f7;border-radius:3px}code{padding:0 .2rem}
pre{padding:.6rem;overflow:auto;max-height:24rem}
details{border:1px solid #dfe3e8;border-radius:4px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer}summary .path{font-family:ui-monospace,monospace}
.method{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}
.GET{color:#1a7f37}.POST{color:#0550ae}.PATCH{color:#8250df}.DELETE{color:#cf222e}.WS{color:#9a6700}
table{border-collapse:collapse;width:100%;margin:.4rem 0}td,th{border-bottom:1px solid #eef0f2;text-align:left;padding:.25rem .4rem;vertical-align:top}
.status{font-family:ui-monospace,monospace;font-weight:700}.ok{color:#1a7f37}.refused{color:#cf222e}
nav ul{columns:2}.muted{color:#57606a}
`;

/** The page's Content-Security-Policy: its one inline style, and nothing else. */
export const API_REFERENCE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escape = (text: unknown): string =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escaped text with `code` spans. */
const prose = (text: unknown): string =>
  escape(text ?? '')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\n\n/g, '</p><p>');

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const anchorOf = (method: string, path: string): string => `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly head: boolean;
  readonly body: JsonObject;
}

const operationsByTag = (document: JsonObject): Map<string, Operation[]> => {
  const byTag = new Map<string, Operation[]>();
  for (const [path, item] of Object.entries(document.paths as Record<string, JsonObject>)) {
    for (const method of METHODS) {
      const body = item[method] as JsonObject | undefined;
      if (!body) continue;
      const tag = (body.tags as string[])[0] ?? '';
      byTag.set(tag, [
        ...(byTag.get(tag) ?? []),
        { method: method.toUpperCase(), path, head: method === 'get' && item.head !== undefined, body },
      ]);
    }
  }
  return byTag;
};

const schemaText = (schema: unknown): string => `<pre>${escape(JSON.stringify(schema, null, 2))}</pre>`;

const parametersTable = (parameters: JsonObject[] | undefined): string =>
  !parameters || parameters.length === 0
    ? ''
    : `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${parameters
        .map(
          (p) =>
            `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td>` +
            `<td><code>${escape(JSON.stringify(p.schema))}</code>${p.description ? ` ${prose(p.description)}` : ''}</td></tr>`,
        )
        .join('')}</table>`;

const responsesTable = (responses: Record<string, JsonObject>): string =>
  `<table><tr><th>status</th><th>means</th><th>body</th></tr>${Object.entries(responses)
    .map(
      ([status, response]) =>
        `<tr><td class="status ${Number(status) < 400 ? 'ok' : 'refused'}">${escape(status)}</td><td>${prose(response.description)}` +
        `${
          response.headers
            ? ` <span class="muted">Headers: ${Object.keys(response.headers as JsonObject)
                .map((h) => `<code>${escape(h)}</code>`)
                .join(', ')}</span>`
            : ''
        }</td>` +
        `<td>${
          Object.keys((response.content ?? {}) as JsonObject)
            .map((type) => `<code>${escape(type)}</code>`)
            .join(' ') || '—'
        }</td></tr>`,
    )
    .join('')}</table>`;

const securityText = (security: JsonObject[] | undefined): string => {
  const schemes = (security ?? []).flatMap((requirement) => Object.keys(requirement));
  if (schemes.length === 0) return 'No token needed.';
  return `Needs ${schemes.map((scheme) => `<code>${escape(scheme)}</code>`).join(' or ')}${(security ?? []).some((r) => Object.keys(r).length === 0) ? ' when it is set' : ''}.`;
};

const operationSection = ({ method, path, head, body }: Operation): string => {
  const requestBody = body.requestBody as JsonObject | undefined;
  const bodySchema = (requestBody?.content as Record<string, JsonObject> | undefined)?.['application/json']?.schema;
  return `<details id="${anchorOf(method, path)}"><summary><span class="method ${method}">${method}</span> <span class="path">${escape(path)}</span> — ${prose(body.summary)}${head ? ' <span class="muted">(and HEAD)</span>' : ''}</summary>
${body.description ? `<p>${prose(body.description)}</p>` : ''}<p>${securityText(body.security as JsonObject[] | undefined)}</p>
${parametersTable(body.parameters as JsonObject[] | undefined)}
${bodySchema ? `<p>Body (${requestBody?.required ? 'required' : 'optional'}): ${prose(requestBody?.description)}</p>${schemaText(bodySchema)}` : ''}
${responsesTable(body.responses as Record<string, JsonObject>)}</details>`;
};

const webSocketSection = (path: string, doc: JsonObject): string => {
  const rows = (title: string, entries: unknown) =>
    `<table><tr><th>${title}</th><th></th></tr>${Object.entries((entries ?? {}) as Record<string, string>)
      .map(([key, text]) => `<tr><td><code>${escape(key)}</code></td><td>${prose(text)}</td></tr>`)
      .join('')}</table>`;
  return `<details id="${anchorOf('ws', path)}"><summary><span class="method WS">WS</span> <span class="path">${escape(path)}</span> — ${prose(doc.summary)}</summary>
<p>${prose(doc.description)}</p>${parametersTable(doc.parameters as JsonObject[] | undefined)}
${rows('server sends', doc['server-messages'])}${rows('client sends', doc['client-messages'])}
${rows('handshake refused', doc['handshake-refusals'])}${rows('close code', doc['close-codes'])}</details>`;
};

export const renderApiReference = (document: JsonObject): string => {
  const info = document.info as JsonObject;
  const tags = (document.tags ?? []) as { name: string; description: string }[];
  const byTag = operationsByTag(document);
  const webSockets = Object.entries((document['x-websockets'] ?? {}) as Record<string, JsonObject>);
  const toc = tags
    .map(
      ({ name, description }) =>
        `<li><a href="#tag-${escape(name)}">${escape(description)}</a> <span class="muted">(${byTag.get(name)?.length ?? 0})</span></li>`,
    )
    .concat(webSockets.length > 0 ? ['<li><a href="#websockets">WebSockets</a></li>'] : [])
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(info.title)}</title><style>${STYLE}</style></head><body>
<h1>${escape(info.title)}</h1><p class="muted">Version ${escape(info.version)} · OpenAPI ${escape(document.openapi)} · <a href="${OPENAPI_PATH}">${OPENAPI_PATH.slice(1)}</a></p>
<p>${prose(info.description)}</p><nav><ul>${toc}</ul></nav>
${tags
  .map(
    ({ name, description }) =>
      `<h2 id="tag-${escape(name)}">${escape(description)}</h2>\n${(byTag.get(name) ?? []).map(operationSection).join('\n')}`,
  )
  .join('\n')}
${webSockets.length > 0 ? `<h2 id="websockets">WebSockets</h2>\n${webSockets.map(([path, doc]) => webSocketSection(path, doc)).join('\n')}` : ''}
<h2 id="problem">Problem details</h2><p>Every refusal's body (<code>application/problem+json</code>):</p>
${schemaText((document.components as JsonObject).schemas)}
</body></html>
`;
};
