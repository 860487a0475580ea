/** The approvals page: a static shell (HTML, CSS, one vanilla JS file) that talks to /api with the user's token. */
import type { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminEnv } from '../route';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

export function registerPageRoutes(app: Hono<AdminEnv>): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    // Read once at start-up: the shell is small and the same for everyone.
    const content = readFileSync(path.join(STATIC_DIR, file), 'utf8');
    app.get(route, (c) => c.body(content, 200, { 'content-type': type, 'cache-control': 'no-cache' }));
  }
}
