import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { RegistryApp } from '../app';
import { packageRoot } from '../package-root';

/** Content types of the files the console serves from dist/webview. */
export const CONSOLE_CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A file name the console serves: one segment, no dot-dot, a known extension. */
const FILE_NAME = /^[a-z0-9][a-z0-9._-]*\.(js|map|css|html|svg|png)$/i;

/**
 * The policy of the console page: scripts only from this origin, no inline script, styles only
 * from this origin or the page's nonce, API calls only to this origin, frames only of this origin
 * (the plugin preview), and nothing may frame the console.
 */
export function consoleCsp(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The policy of the preview frame. The CSP `sandbox` directive puts the page in an opaque origin
 * whoever frames it (not only when the embedder remembers `sandbox="allow-scripts"`), so plugin code
 * never runs with the registry's origin; that is what lets any page — the console, a VS Code webview,
 * code-server's webview origin — frame it. The registry's origin is named explicitly for the bundle
 * (`'self'` means nothing in an opaque origin); plugin modules arrive as blob: URLs, and plugin UIs
 * may use inline styles.
 */
export function previewCsp(origin: string): string {
  return [
    'sandbox allow-scripts',
    "default-src 'none'",
    `script-src ${origin}/console/ blob:`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'frame-ancestors *',
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

function consolePage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Plugin Codex</title>
<style nonce="${nonce}">body { margin: 0; background: #ffffff; } @media (prefers-color-scheme: dark) { body { background: #1e1e1e; } }</style>
</head>
<body>
<codex-app mode="browser"></codex-app>
<script src="/console/main.js" defer></script>
</body>
</html>
`;
}

const PREVIEW_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>Plugin preview</title></head>
<body>
<div id="codex-preview-root">Loading the preview…</div>
<script src="/console/main.js" defer></script>
</body>
</html>
`;

/**
 * The web console: `GET /` is the page (the same Lit bundle the VS Code webviews run, built into
 * dist/webview by scripts/build.mjs), `GET /console/*` its static files and the sandboxed preview
 * frame. Sign-in happens in the page: the user pastes a token, kept in the tab's sessionStorage.
 */
export function registerConsoleRoutes(app: RegistryApp, options: { distDir?: string } = {}): void {
  const distDir = options.distDir ?? join(packageRoot(), 'dist', 'webview');

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    return securityHeaders(reply, consoleCsp(nonce)).type('text/html; charset=utf-8').send(consolePage(nonce));
  });

  app.get('/console/*', {
    schema: { hide: true, params: Type.Object({ '*': Type.String() }) },
  }, async (request, reply) => {
    const name = request.params['*'];
    if (name === 'preview.html') {
      const origin = `${request.protocol}://${request.host}`;
      return securityHeaders(reply, previewCsp(origin)).type(CONSOLE_CONTENT_TYPES['.html']!).send(PREVIEW_PAGE);
    }
    if (!FILE_NAME.test(name)) {
      return reply.status(404).send({ error: { code: 'CODEX_ERR_NOT_FOUND', message: `the console has no file ${name}`, requestId: request.id } });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(join(distDir, name));
    } catch {
      const hint = name === 'main.js' ? '; the web console is not built: run `npm run build`' : '';
      return reply.status(404).send({ error: { code: 'CODEX_ERR_NOT_FOUND', message: `the console has no file ${name}${hint}`, requestId: request.id } });
    }
    const extension = name.slice(name.lastIndexOf('.')).toLowerCase();
    return securityHeaders(reply, "default-src 'none'").type(CONSOLE_CONTENT_TYPES[extension] ?? 'application/octet-stream').send(bytes);
  });
}
