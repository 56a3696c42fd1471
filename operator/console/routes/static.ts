// The console's stylesheet and script, read from ui/static/ once at start and served from
// memory: no CDN, no build step, nothing fetched from elsewhere at run time. The SQL editor's
// script is bundled from node_modules on first use (ui/editor-bundle.ts).
import { readFileSync } from 'node:fs';
import type { ConsoleRoutes } from '../context.ts';
import { sqlEditorScript } from '../ui/editor-bundle.ts';

const ASSETS: Record<string, string> = { 'console.css': 'text/css; charset=utf-8', 'console.js': 'text/javascript; charset=utf-8' };

export const staticRoutes: ConsoleRoutes = (app) => {
  const files = new Map(Object.entries(ASSETS).map(([name, type]) => [name, { type, body: readFileSync(new URL(`../ui/static/${name}`, import.meta.url)) }]));
  app.get('/static/:file', async (request, reply) => {
    const f = files.get((request.params as { file: string }).file);
    if (!f) return reply.callNotFound();
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });
  // the drafts page's SQL editor (CodeMirror), bundled on first use
  app.get('/static/sql-editor.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await sqlEditorScript()));
  app.get('/healthz', async () => ({ status: 'ok' }));
};
