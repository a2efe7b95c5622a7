/**
 * Swagger UI at `/docs` on the REST port, reading the server's own `/openapi.json`. The UI's
 * files come from the swagger-ui-dist package on disk; only files that exist in its folder at
 * start are served (by exact name, so no path can climb out), with their proper content types.
 * Without swagger-ui-dist installed `/docs` is simply not mounted.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pathFree } from './health.js';
import { problem, sendProblem } from './problem.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** The folder of swagger-ui-dist, or undefined when it is not installed. */
export function swaggerUiDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

export interface DocsUiOptions {
  /** Where the UI lives (default `/docs`). */
  readonly path?: string | undefined;
  /** The OpenAPI document it shows (default `/openapi.json`). */
  readonly specUrl?: string | undefined;
}

/** Mounts the UI unless the spec declares the path or swagger-ui-dist is missing; true when mounted. */
export function mountDocsUi(app: FastifyInstance, options: DocsUiOptions = {}): boolean {
  const base = options.path ?? '/docs';
  const dir = swaggerUiDir();
  if (!dir || !pathFree(app, base) || !pathFree(app, `${base}/:file`)) return false;
  const files = new Set(readdirSync(dir).filter((name) => extension(name) in TYPES && !name.startsWith('index') && name !== 'swagger-initializer.js'));
  const page = indexPage(base);
  const initializer = initializerScript(options.specUrl ?? '/openapi.json');
  app.get(base, async (_request, reply) => reply.type(TYPES['.html']!).send(page));
  app.get(`${base}/swagger-initializer.js`, async (_request, reply) => reply.type(TYPES['.js']!).send(initializer));
  app.get<{ Params: { file: string } }>(`${base}/:file`, async (request, reply) => {
    const name = request.params.file;
    if (!files.has(name)) return sendProblem(reply, problem(404, `no route for GET ${base}/${name}`));
    const body = await readFile(join(dir, name));
    return reply.type(TYPES[extension(name)]!).header('cache-control', 'public, max-age=3600').send(body);
  });
  return true;
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot);
}

function indexPage(base: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>API documentation</title>
    <link rel="stylesheet" type="text/css" href="${base}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${base}/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${base}/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="${base}/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="${base}/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;
}

/** Replaces the package's petstore initializer: same layout, our document. */
function initializerScript(specUrl: string): string {
  return `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;
}
