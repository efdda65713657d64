import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type http from 'node:http';
import path from 'node:path';
import { PLAYGROUND_EXAMPLES } from './examples.js';

/**
 * An offline GraphiQL: the page and every asset it loads (React, GraphiQL's prebuilt bundle and
 * its CSS with inlined fonts) are served by the gateway from installed packages, so the IDE works
 * on a network with no internet access. Apollo's default landing page loads from a CDN instead.
 */
const require = createRequire(import.meta.url);

/** URL prefix of the assets; only these files are ever served from it. */
export const ASSET_PREFIX = '/playground/';

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

const cache = new Map<string, Buffer>();

/** The browser bundles are not in the packages' `exports`, so they are found from package.json. */
function asset(name: string): Buffer {
  let content = cache.get(name);
  if (!content) {
    const { pkg, file } = ASSETS[name];
    content = readFileSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));
    cache.set(name, content);
  }
  return content;
}

function page(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ISC GraphQL gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PREFIX}graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the GraphQL playground…</div>
<script src="${ASSET_PREFIX}react.js"></script>
<script src="${ASSET_PREFIX}react-dom.js"></script>
<script src="${ASSET_PREFIX}graphiql.js"></script>
<script src="${ASSET_PREFIX}init.js" data-endpoint="${endpoint}"></script>
</body>
</html>`;
}

/** Starts GraphiQL with one tab per example operation. Served as a file, not inline script. */
function initScript(): string {
  return `(() => {
  const endpoint = document.currentScript.dataset.endpoint;
  const tabs = ${JSON.stringify(PLAYGROUND_EXAMPLES.map(({ query, variables }) => ({ query, variables: variables && JSON.stringify(variables, null, 2) })))};
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: endpoint }),
    defaultTabs: tabs,
    defaultEditorToolsVisibility: true,
  }));
})();
`;
}

export function wantsHtml(req: http.IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

/** Serves the page (`GET /graphql` from a browser) or one of its assets; false if not ours. */
export function servePlayground(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean {
  if (pathname === '/graphql' && wantsHtml(req)) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(page('/graphql'));
    return true;
  }
  if (!pathname.startsWith(ASSET_PREFIX) || req.method !== 'GET') return false;
  const name = pathname.slice(ASSET_PREFIX.length);
  if (name === 'init.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(initScript());
    return true;
  }
  if (!Object.hasOwn(ASSETS, name)) return false;
  const content = asset(name);
  res.writeHead(200, { 'content-type': `${ASSETS[name].type}; charset=utf-8`, 'cache-control': 'public, max-age=86400' });
  res.end(content);
  return true;
}
