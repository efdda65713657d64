import type { PageModel } from '../shared/paging.js';

/**
 * A connector customizer as ISC sends it. One type covers the list/get answer
 * (`ConnectorCustomizersResponse`), the create answer (`ConnectorCustomizerCreateResponse`, which
 * has no image fields) and the update answer (`ConnectorCustomizerUpdateResponse`, which has them).
 */
export interface IscConnectorCustomizer {
  id: string;
  name?: string;
  /** int64 in ISC's spec. */
  imageVersion?: number | string | null;
  imageID?: string | null;
  tenantID?: string;
  created?: string;
}

/** ISC's `ConnectorCustomizerVersionCreateResponse`. */
export interface IscConnectorCustomizerVersion {
  customizerID?: string;
  imageID?: string;
  /** int64 in ISC's spec. */
  version?: number | string;
  created?: string;
}

/** GraphQL types resolve from the ISC payloads as received; `created` is translated (rfc3339Timestamp). */
export type ConnectorCustomizerModel = IscConnectorCustomizer;
export type ConnectorCustomizerVersionModel = IscConnectorCustomizerVersion;

/** `GET /connector-customizers` cannot count: a page has items and hasMore only. */
export type ConnectorCustomizerPageModel = Pick<PageModel<IscConnectorCustomizer>, 'items' | 'hasMore'>;

/**
 * ISC's spec shows customizer timestamps in Go's default `time.Time` layout
 * (`2006-01-02 15:04:05.999999999 -0700 MST`, optionally with a ` m=+0.01` monotonic reading),
 * which the `DateTime` scalar refuses. Such a value is rewritten as the same instant in RFC 3339;
 * anything else passes through untouched for the scalar to judge.
 */
const GO_TIME =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) ([+-]\d{2})(\d{2})(?: (?:[A-Za-z]{1,6}|[+-]\d{2,4}))?(?: m=[+-]\d+(?:\.\d+)?)?$/;

export function rfc3339Timestamp(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const match = GO_TIME.exec(raw.trim());
  if (!match) return raw;
  const [, date, time, offsetHours, offsetMinutes] = match;
  return `${date}T${time}${offsetHours}:${offsetMinutes}`;
}
