import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Router from '@koa/router';

/*
 * /docs: Swagger UI (the swagger-ui-dist package), rendered from this server's /openapi.json with
 * try-it-out against the server itself. Every asset is served from node_modules by this process,
 * so the page works offline and loads nothing from another host.
 */

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Only these files are served: a fixed list, so no request path ever reaches the file system.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// In its own file rather than inline, so a Content-Security-Policy of script-src 'self' allows it.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: false,
  persistAuthorization: false,
  withCredentials: true,
  displayOperationId: true,
  showExtensions: true,
  defaultModelsExpandDepth: 0,
  validatorUrl: 'none',
  presets: [SwaggerUIBundle.presets.apis],
});
`;

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;
}

export function mountApiDocs(router: Router, title: string): void {
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = page(title);
  });
  router.get('/docs/assets/init.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = INIT;
  });
  router.get('/docs/assets/:file', (ctx, next) => {
    const file = ctx.params.file!;
    const type = ASSETS[file];
    if (!type) return next();
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = createReadStream(join(DIST, file));
  });
}
