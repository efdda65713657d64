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

/** GraphQL types resolve from the ISC payloads as received. */
export type ConnectorCustomizerModel = IscConnectorCustomizer;
export type ConnectorCustomizerVersionModel = IscConnectorCustomizerVersion;

/** `GET /connector-customizers` cannot count: a page has items and hasMore only. */
export type ConnectorCustomizerPageModel = Pick<PageModel<IscConnectorCustomizer>, 'items' | 'hasMore'>;
