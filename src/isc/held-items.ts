import type { WriteClock } from './write-clock.js';
import type { HeldItems, IscAnswer, IscCall } from './types.js';

/**
 * A list answer whose items are whole resources (source apps, connector customizers, OAuth
 * clients: ISC's list and by-id reads answer the same schema) also answers the by-id read of each
 * item it holds, for the same caller: the response cache keeps each item under that read's entry.
 */

/** Items kept per list answer: a page holds at most 250; a longer list keeps its first ones. */
export const MAX_HELD_ITEMS = 250;

/** One item of a list, as the answer of its by-id read. */
export interface HeldItem {
  /** The by-id read's URL. */
  url: string;
  /** Its write stamp, as a by-id read would have read it before the list call was sent. */
  stamp: string;
  answer: IscAnswer;
}

/**
 * The items a fresh list answer holds, each with the stamp of its by-id read; none when the list's
 * own stamp moved since `call.stamp` was read (before the call was sent). Every write that moves a
 * resource's stamp also moves its collection's list stamp (write-clock.ts: `writeScopes`), so an
 * unchanged list stamp, read in the same round trip as the items' stamps, proves those are still the
 * stamps they had before the call: a write during the call can never be masked by an older item.
 */
export async function heldItems(call: IscCall, holds: HeldItems, answer: IscAnswer, clock: WriteClock): Promise<HeldItem[]> {
  if (answer.status < 200 || answer.status >= 300 || !Array.isArray(answer.body) || call.stamp === undefined) return [];
  const items = (answer.body as unknown[]).slice(0, MAX_HELD_ITEMS).flatMap((item) => {
    const id = holds.idOf(item);
    return id === undefined ? [] : [{ url: holds.entryPath(id), item }];
  });
  if (items.length === 0) return [];
  const [listStamp, ...stamps] = await clock.stamps([call.url, ...items.map(({ url }) => url)]);
  if (listStamp !== call.stamp) return [];
  const contentType = answer.headers['content-type'];
  // Its share of the page's bytes, as a lookup by ids counts its items.
  const bytes = Math.ceil(answer.rawLength / answer.body.length);
  return items.map(({ url, item }, i) => ({
    url,
    stamp: stamps[i],
    answer: { status: 200, headers: contentType === undefined ? {} : { 'content-type': contentType }, body: item, rawLength: bytes },
  }));
}
