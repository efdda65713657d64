import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import { isErrorCode } from '../shared/errors.js';
import { getSourceApp, listSourceAppsByIds } from './source-apps.api.js';
import type { IscSourceApp } from './source-apps.mappers.js';

/** Ids per `id in (...)` call: keeps the URL well below common length limits. */
export const MAX_IDS_PER_CALL = 100;

/** The caller fact "`GET /source-apps/all` answers 403 for this caller" (see CallerFacts). */
export const LIST_FORBIDDEN = 'source-apps:all-forbidden';

/**
 * Source apps by id, per operation. Every id asked for in the same tick (aliases, `sourceApp`
 * fields, entity references) becomes one `GET /source-apps/all?filters=id in (...)` per 100 ids.
 * That list is the admin view: once it answers 403 for this caller, reads fall back to one
 * `GET /source-apps/{id}` per app, and the 403 is remembered for the caller across operations
 * (so it is not asked again and refused each time, and the cost estimate knows). Missing ids
 * resolve to null.
 */
export function sourceAppLoader(ctx: Context): DataLoader<string, IscSourceApp | null> {
  return ctx.perRequest('source-apps:byId', () => {
    const oneByOne = (ids: readonly string[]) =>
      Promise.all(ids.map((id) => getSourceApp(ctx.upstream, id).catch((error: unknown) => error as Error)));

    return new DataLoader<string, IscSourceApp | null>(
      async (ids) => {
        if (ctx.facts.get(LIST_FORBIDDEN)) return oneByOne(ids);
        let found: IscSourceApp[];
        try {
          found = await listSourceAppsByIds(ctx.upstream, ids);
        } catch (error) {
          if (!isErrorCode(error, 'FORBIDDEN')) throw error;
          ctx.facts.set(LIST_FORBIDDEN, true);
          return oneByOne(ids);
        }
        ctx.facts.set(LIST_FORBIDDEN, false);
        const byId = new Map(found.map((app) => [app.id, app]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { maxBatchSize: MAX_IDS_PER_CALL },
    );
  });
}

/** Keeps the loaded copy of an app in step with a write made in the same operation. */
export function primeSourceApp(ctx: Context, id: string, app: IscSourceApp | null): void {
  sourceAppLoader(ctx).clear(id).prime(id, app);
}
