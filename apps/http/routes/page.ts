/**
 * The pages: static shells (HTML, CSS, vanilla JS) that talk to /api with the user's token. The
 * approvals page at /, the finance leads' dashboard at /dashboard, and the charting library it
 * draws with, served from node_modules so nothing is downloaded at run time.
 */
import type { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminEnv } from '../route';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static');

const require = createRequire(import.meta.url);
const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(STATIC_DIR, 'index.html'), type: HTML },
  '/app.js': { file: path.join(STATIC_DIR, 'app.js'), type: JS },
  '/explain.js': { file: path.join(STATIC_DIR, 'explain.js'), type: JS },
  '/app.css': { file: path.join(STATIC_DIR, 'app.css'), type: CSS },
  '/dashboard': { file: path.join(STATIC_DIR, 'dashboard.html'), type: HTML },
  '/dashboard.js': { file: path.join(STATIC_DIR, 'dashboard.js'), type: JS },
  '/dashboard-rollout.js': { file: path.join(STATIC_DIR, 'dashboard-rollout.js'), type: JS },
  '/cash': { file: path.join(STATIC_DIR, 'cash.html'), type: HTML },
  '/cash.js': { file: path.join(STATIC_DIR, 'cash.js'), type: JS },
  // uPlot: small, canvas-based, maintained; its IIFE build defines window.uPlot.
  '/vendor/uplot.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: JS },
  '/vendor/uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: CSS },
};

export function registerPageRoutes(app: Hono<AdminEnv>): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    // Read once at start-up: the shell is small and the same for everyone.
    const content = readFileSync(file, 'utf8');
    app.get(route, (c) => c.body(content, 200, { 'content-type': type, 'cache-control': 'no-cache' }));
  }
}
