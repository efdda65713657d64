import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import { getConnectorCustomizer } from './connector-customizers.api.js';
import type { IscConnectorCustomizer } from './connector-customizers.mappers.js';

export type ConnectorCustomizerLoader = DataLoader<string, IscConnectorCustomizer | null>;

/**
 * Customizers by id, for this operation only. ISC has no batch read, so a batch becomes one
 * concurrent GET per distinct id; an id already loaded is never read again unless a write cleared
 * or primed it. Missing customizers load as null.
 */
export const connectorCustomizerLoader = (ctx: Context): ConnectorCustomizerLoader =>
  ctx.perRequest(
    'connector-customizers:byId',
    () =>
      new DataLoader<string, IscConnectorCustomizer | null>((ids) =>
        Promise.all(ids.map((id) => getConnectorCustomizer(ctx.upstream, id).catch((error: unknown) => asError(error)))),
      ),
  );

// DataLoader rejects a key's promise only when the batch answers an Error instance for it.
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * After a write, the loader must not answer the copy it read before. A PUT answers the whole
 * customizer, so it replaces the cached one; other writes just drop it.
 */
export function forgetConnectorCustomizer(ctx: Context, id: string, fresh?: IscConnectorCustomizer): void {
  const loader = connectorCustomizerLoader(ctx).clear(id);
  if (fresh !== undefined) loader.prime(id, fresh);
}
