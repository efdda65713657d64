import type { PageModel } from '../shared/paging.js';
import type { IscLocale } from '../shared/validation.js';

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
 * What a `Connector` resolves from: the ISC payload as received, whether it is the detail payload
 * (so detail fields need no further call), and the locale it was asked in (detail fields loaded
 * later use the same one).
 */
export interface ConnectorModel {
  dto: IscConnector | IscConnectorDetail;
  detailed: boolean;
  locale: IscLocale | undefined;
}

export interface ConnectorFilesModel {
  scriptName: string;
}

export type ConnectorPageModel = PageModel<ConnectorModel>;
