import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import { getOAuthClient } from './oauth-clients.api.js';
import type { IscOAuthClient } from './oauth-clients.mappers.js';

/**
 * OAuth clients by id, per request. ISC's list cannot filter by id, so a batch is one GET per id,
 * concurrently; the loader makes each id cost one call per operation however often it is asked for
 * (aliases, federation references). It only ever holds read shapes: never a secret.
 */
export const oauthClientLoader = (ctx: Context): DataLoader<string, IscOAuthClient | null> =>
  ctx.perRequest(
    'oauth-clients:by-id',
    () =>
      new DataLoader<string, IscOAuthClient | null>((ids) =>
        Promise.all(ids.map((id) => getOAuthClient(ctx.upstream, id).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))))),
      ),
  );
