import { enumValue, rawEnum } from '../shared/enums.js';
import type { PageModel } from '../shared/paging.js';

/** An item of `GET /connectors` (ISC's `V3ConnectorDto`, plus the filterable category/labels). */
export interface IscConnector {
  scriptName: string;
  name?: string;
  type?: string;
  className?: string | null;
  features?: string[] | null;
  directConnect?: boolean;
  connectorMetadata?: Record<string, unknown>;
  status?: string;
  category?: string;
  labels?: string[];
}

/** `GET /connectors/{scriptName}` (ISC's `ConnectorDetail`). */
export interface IscConnectorDetail extends Omit<IscConnector, 'features'> {
  applicationXml?: string;
  correlationConfigXml?: string;
  sourceConfigXml?: string;
  sourceConfig?: string | null;
  sourceConfigFrom?: string | null;
  s3Location?: string;
  uploadedFiles?: string[] | null;
  fileUpload?: boolean;
  translationProperties?: Record<string, unknown>;
}

/** ISC's `UpdateDetail`, the answer to a connector file upload. */
export interface IscUpdateDetail {
  message?: string;
  scriptName?: string;
  updatedFiles?: string[] | null;
  status?: string;
}

/**
 * What a `Connector` resolves from: ISC's payload as received, a list item (a create answers the
 * same shape) or the detail. Detail fields missing from a list item are read with one GET.
 */
export type ConnectorModel = IscConnector | IscConnectorDetail;

export interface ConnectorFilesModel {
  scriptName: string;
}

export type ConnectorPageModel = PageModel<ConnectorModel>;

const CONNECTOR_STATUSES = ['RELEASED', 'DEVELOPMENT', 'DEMO', 'DEPRECATED'] as const;
const FILE_UPDATE_STATUSES = ['UPDATED', 'UNCHANGED', 'SKIPPED', 'ERROR'] as const;

/** The translated fields of `Connector`: its status under the unknown-enum rule. */
export const connectorStatusFields = {
  status: (c: ConnectorModel) => enumValue(CONNECTOR_STATUSES, c.status),
  statusRaw: (c: ConnectorModel) => rawEnum(c.status),
};

/** The translated fields of `ConnectorFileUpdate`: its outcome under the unknown-enum rule. */
export const fileUpdateStatusFields = {
  status: (u: IscUpdateDetail) => enumValue(FILE_UPDATE_STATUSES, u.status),
  statusRaw: (u: IscUpdateDetail) => rawEnum(u.status),
};
