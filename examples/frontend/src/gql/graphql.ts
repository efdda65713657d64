/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/**
 * Whether an API client may act while its user is away. `UNKNOWN` stands for a value ISC added later
 * (see `accessTypeRaw`); it is refused in inputs.
 */
export type AccessType =
  /** Also while the user is away, through refresh tokens. */
  | 'OFFLINE'
  /** Only while the user is present: no long-lived refresh tokens. */
  | 'ONLINE'
  /** An access type this gateway does not know yet; see `accessTypeRaw`. Not accepted in inputs. */
  | 'UNKNOWN';

/**
 * Whether an API client can keep a secret. `UNKNOWN` stands for a value ISC added later (see
 * `typeRaw`); it is refused in inputs.
 */
export type ClientType =
  /** Runs where its secret stays private (a server). */
  | 'CONFIDENTIAL'
  /** Runs where a secret cannot be kept (a browser or mobile app). */
  | 'PUBLIC'
  /** A client type this gateway does not know yet; see `typeRaw`. Not accepted in inputs. */
  | 'UNKNOWN';

/**
 * Lifecycle status of a connector in ISC's catalogue. `UNKNOWN` stands for a value ISC added after
 * this schema was written; `statusRaw` carries it.
 */
export type ConnectorStatus =
  /** For demonstrations only. */
  | 'DEMO'
  /** Still works but will be removed; move sources to a replacement. */
  | 'DEPRECATED'
  /** Still being built; not for production sources. */
  | 'DEVELOPMENT'
  /** Generally available. */
  | 'RELEASED'
  /** A status this gateway does not know yet; see `statusRaw`. */
  | 'UNKNOWN';

/** Fields to create a connector customizer with (`POST /connector-customizers`). */
export type CreateConnectorCustomizerInput = {
  /** The customizer's name; must not be empty or only spaces. */
  name: string;
};

/**
 * Fields to create an OAuth client with (`POST /oauth-clients`). Checked before anything is sent:
 * `homepageUrl` must be an absolute http(s) URL, each redirect URI absolute and without a fragment,
 * validity periods positive, at least one grant type, and at least one redirect URI when
 * `AUTHORIZATION_CODE` is granted.
 */
export type CreateOAuthClientInput = {
  /** Lifetime, in seconds, of the access tokens issued to the client (a positive integer). */
  accessTokenValiditySeconds: number;
  /** Online or offline access (`UNKNOWN` is refused). */
  accessType: AccessType;
  /** Name of the business the client belongs to. */
  businessName?: string | null | undefined;
  /** Whether the client supports SAML claims in the authorization-code flow. */
  claimsSupported?: boolean | null | undefined;
  /** What the client is for. */
  description: string;
  /** Whether the client may obtain tokens right away. */
  enabled: boolean;
  /** Grant types the client may use (at least one; `UNKNOWN` is refused). */
  grantTypes: Array<GrantType>;
  /** Home page of the client's owner: an absolute http or https URL. */
  homepageUrl?: string | null | undefined;
  /** Whether the client is for calls inside the product. */
  internal?: boolean | null | undefined;
  /** Human-readable name (not empty). */
  name: string;
  /**
   * Where the authorization-code flow may send users back to: absolute URIs without a fragment,
   * http(s) or a private scheme of a native app (for example `com.example.app:/callback`).
   * Required (at least one) when `grantTypes` includes `AUTHORIZATION_CODE`.
   */
  redirectUris?: Array<string> | null | undefined;
  /** Lifetime, in seconds, of refresh tokens (a positive integer); ISC chooses when omitted. */
  refreshTokenValiditySeconds?: number | null | undefined;
  /** Scopes to grant; ISC grants `sp:scopes:all` (all the owner's rights) when omitted. */
  scope?: Array<string> | null | undefined;
  /** Whether the client supports strong (multi-factor) authentication. */
  strongAuthSupported?: boolean | null | undefined;
  /** Confidential or public (`UNKNOWN` is refused); ISC chooses when omitted. */
  type?: ClientType | null | undefined;
};

/**
 * An OAuth 2.0 grant type an ISC API client may use. `UNKNOWN` stands for a value ISC added after
 * this schema was written (the sibling `grantTypesRaw` carries it); it is refused in inputs.
 */
export type GrantType =
  /** Interactive sign-in: a user authorises the client, which receives a code at a redirect URI. */
  | 'AUTHORIZATION_CODE'
  /** Machine-to-machine: the client authenticates with its own id and secret. */
  | 'CLIENT_CREDENTIALS'
  /** The client may exchange a refresh token for a new access token. */
  | 'REFRESH_TOKEN'
  /** A grant type this gateway does not know yet; see `grantTypesRaw`. Not accepted in inputs. */
  | 'UNKNOWN';

export type ConnectorsPageQueryVariables = Exact<{
  limit: number;
  offset: number;
}>;


export type ConnectorsPageQuery = { __typename: 'Query', connectors: { __typename: 'ConnectorPage', hasMore: boolean, items: Array<{ __typename: 'Connector', scriptName: string, name: string | null, type: string | null, status: ConnectorStatus | null }> } };

export type ConnectorDetailQueryVariables = Exact<{
  scriptName: string | number;
}>;


export type ConnectorDetailQuery = { __typename: 'Query', connector: { __typename: 'Connector', scriptName: string, name: string | null, type: string | null, className: string | null, status: ConnectorStatus | null, statusRaw: string | null, directConnect: boolean | null, features: Array<string> | null, fileUpload: boolean | null, uploadedFiles: Array<string> | null } | null };

export type ConnectorFilesQueryVariables = Exact<{
  scriptName: string | number;
  locale: string;
}>;


export type ConnectorFilesQuery = { __typename: 'Query', connector: { __typename: 'Connector', scriptName: string, files: { __typename: 'ConnectorFiles', sourceConfig: string | null, sourceTemplate: string | null, correlationConfig: string | null, translations: string | null } } | null };

export type CreateConnectorCustomizerMutationVariables = Exact<{
  input: CreateConnectorCustomizerInput;
}>;


export type CreateConnectorCustomizerMutation = { __typename: 'Mutation', createConnectorCustomizer: { __typename: 'ConnectorCustomizer', id: string, name: string | null, tenantID: string | null, created: string | null } };

export type MyAppsQueryVariables = Exact<{
  limit: number;
}>;


export type MyAppsQuery = { __typename: 'Query', userApps: { __typename: 'UserAppPage', hasMore: boolean, items: Array<{ __typename: 'UserApp', id: string, hasMultipleAccounts: boolean | null, sourceApp: { __typename: 'SourceApp', id: string, name: string | null } | null, source: { __typename: 'ObjectReference', id: string | null, name: string | null } | null, account: { __typename: 'ObjectReference', id: string | null, name: string | null } | null }> } };

export type MyAppAccountsQueryVariables = Exact<{
  id: string | number;
}>;


export type MyAppAccountsQuery = { __typename: 'Query', userApps: { __typename: 'UserAppPage', items: Array<{ __typename: 'UserApp', id: string, availableAccounts: { __typename: 'UserAppAccountList', totalCount: number, hasMore: boolean, items: Array<{ __typename: 'UserAppAvailableAccount', id: string | null, displayName: string | null, nativeIdentity: string | null }> } }> } };

export type ChooseUserAppAccountMutationVariables = Exact<{
  id: string | number;
  accountId: string | number;
}>;


export type ChooseUserAppAccountMutation = { __typename: 'Mutation', updateUserAppAccount: { __typename: 'UserApp', id: string, account: { __typename: 'ObjectReference', id: string | null, name: string | null } | null } };

export type CreateOAuthClientMutationVariables = Exact<{
  input: CreateOAuthClientInput;
}>;


export type CreateOAuthClientMutation = { __typename: 'Mutation', createOAuthClient: { __typename: 'CreatedOAuthClient', id: string, name: string | null, secret: string, grantTypes: Array<GrantType> | null, accessType: AccessType | null, enabled: boolean | null, scope: Array<string> | null, accessTokenValiditySeconds: number | null } };

export type SourceAppChoicesQueryVariables = Exact<{ [key: string]: never; }>;


export type SourceAppChoicesQuery = { __typename: 'Query', sourceApps: { __typename: 'SourceAppPage', items: Array<{ __typename: 'SourceApp', id: string, name: string | null }> } };

export type SourceAppCardFragment = { __typename: 'SourceApp', id: string, name: string | null, description: string | null, enabled: boolean | null, owner: { __typename: 'ObjectReference', name: string | null } | null, accountSource: { __typename: 'SourceAppAccountSource', name: string | null } | null } & { ' $fragmentName'?: 'SourceAppCardFragment' };

export type SourceAppsByIdQueryVariables = Exact<{
  id0: string | number;
  id1: string | number;
  id2: string | number;
  id3: string | number;
  id4: string | number;
  with1: boolean;
  with2: boolean;
  with3: boolean;
  with4: boolean;
}>;


export type SourceAppsByIdQuery = { __typename: 'Query', app0: (
    { __typename: 'SourceApp' }
    & { ' $fragmentRefs'?: { 'SourceAppCardFragment': SourceAppCardFragment } }
  ) | null, app1?: (
    { __typename: 'SourceApp' }
    & { ' $fragmentRefs'?: { 'SourceAppCardFragment': SourceAppCardFragment } }
  ) | null, app2?: (
    { __typename: 'SourceApp' }
    & { ' $fragmentRefs'?: { 'SourceAppCardFragment': SourceAppCardFragment } }
  ) | null, app3?: (
    { __typename: 'SourceApp' }
    & { ' $fragmentRefs'?: { 'SourceAppCardFragment': SourceAppCardFragment } }
  ) | null, app4?: (
    { __typename: 'SourceApp' }
    & { ' $fragmentRefs'?: { 'SourceAppCardFragment': SourceAppCardFragment } }
  ) | null };

export const SourceAppCardFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SourceAppCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SourceApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"accountSource"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<SourceAppCardFragment, unknown>;
export const ConnectorsPageDocument = {"__meta__":{"hash":"sha256:506dd4c5eac5caee8fc6c610d908d890363c0e2c06217fdf1293dfa72aa60fd2"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConnectorsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"limit"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"offset"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"connectors"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"Variable","name":{"kind":"Name","value":"limit"}}},{"kind":"Argument","name":{"kind":"Name","value":"offset"},"value":{"kind":"Variable","name":{"kind":"Name","value":"offset"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"scriptName"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hasMore"}}]}}]}}]} as unknown as DocumentNode<ConnectorsPageQuery, ConnectorsPageQueryVariables>;
export const ConnectorDetailDocument = {"__meta__":{"hash":"sha256:de8640534c331648a2b5d48f2c1b011f1510d867713cbb03e56816533c40b3e2"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConnectorDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scriptName"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"connector"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"scriptName"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scriptName"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"scriptName"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"className"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusRaw"}},{"kind":"Field","name":{"kind":"Name","value":"directConnect"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"fileUpload"}},{"kind":"Field","name":{"kind":"Name","value":"uploadedFiles"}}]}}]}}]} as unknown as DocumentNode<ConnectorDetailQuery, ConnectorDetailQueryVariables>;
export const ConnectorFilesDocument = {"__meta__":{"hash":"sha256:33ca1225700e9fc883b5a131d9d4ec593092dd2cff9804dc495b7df641f88bfa"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConnectorFiles"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scriptName"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"locale"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"connector"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"scriptName"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scriptName"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"scriptName"}},{"kind":"Field","name":{"kind":"Name","value":"files"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"sourceConfig"}},{"kind":"Field","name":{"kind":"Name","value":"sourceTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"correlationConfig"}},{"kind":"Field","name":{"kind":"Name","value":"translations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"locale"},"value":{"kind":"Variable","name":{"kind":"Name","value":"locale"}}}]}]}}]}}]}}]} as unknown as DocumentNode<ConnectorFilesQuery, ConnectorFilesQueryVariables>;
export const CreateConnectorCustomizerDocument = {"__meta__":{"hash":"sha256:a0349ae7b21dfc849b75e7ca6fe5d224fea41cbdd06ead1a3e3f2459c3776e5d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateConnectorCustomizer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateConnectorCustomizerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"createConnectorCustomizer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"tenantID"}},{"kind":"Field","name":{"kind":"Name","value":"created"}}]}}]}}]} as unknown as DocumentNode<CreateConnectorCustomizerMutation, CreateConnectorCustomizerMutationVariables>;
export const MyAppsDocument = {"__meta__":{"hash":"sha256:a30a2d330ba104c65496c9153b5ea1a7f6084b373efe7bac03d211b785ebe8a3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyApps"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"limit"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"userApps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"Variable","name":{"kind":"Name","value":"limit"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"hasMultipleAccounts"}},{"kind":"Field","name":{"kind":"Name","value":"sourceApp"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"hasMore"}}]}}]}}]} as unknown as DocumentNode<MyAppsQuery, MyAppsQueryVariables>;
export const MyAppAccountsDocument = {"__meta__":{"hash":"sha256:3ebb10210d8a50ef9f31425be9bef9821d8ab3a70b0e3d0ebfc2586e280b98ae"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyAppAccounts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"userApps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"availableAccounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"nativeIdentity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"hasMore"}}]}}]}}]}}]}}]} as unknown as DocumentNode<MyAppAccountsQuery, MyAppAccountsQueryVariables>;
export const ChooseUserAppAccountDocument = {"__meta__":{"hash":"sha256:45de6a74adc89c45d4bbcf4d4b36c86be2c5bb635ea3f0d615e844850a9d41d5"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChooseUserAppAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"updateUserAppAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<ChooseUserAppAccountMutation, ChooseUserAppAccountMutationVariables>;
export const CreateOAuthClientDocument = {"__meta__":{"hash":"sha256:f46832982b01e3a4283667955a8e92605cb16fc9a7a643b3ce04d5019ac879bd"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateOAuthClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateOAuthClientInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"createOAuthClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"grantTypes"}},{"kind":"Field","name":{"kind":"Name","value":"accessType"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenValiditySeconds"}}]}}]}}]} as unknown as DocumentNode<CreateOAuthClientMutation, CreateOAuthClientMutationVariables>;
export const SourceAppChoicesDocument = {"__meta__":{"hash":"sha256:a0b7c7e61c6dfa5ee9d026e204a9e2c578c9a78cbe7b787c71a0f15df03f7850"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SourceAppChoices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"sourceApps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"8"}},{"kind":"Argument","name":{"kind":"Name","value":"sort"},"value":{"kind":"ListValue","values":[{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"field"},"value":{"kind":"EnumValue","value":"NAME"}}]}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<SourceAppChoicesQuery, SourceAppChoicesQueryVariables>;
export const SourceAppsByIdDocument = {"__meta__":{"hash":"sha256:75cf7a467fc18c6edaf313d460c5fee1c918291fe89e6a148bf3866be86c8645"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SourceAppsById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id0"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id1"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id2"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id3"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id4"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"with1"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"with2"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"with3"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"with4"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","alias":{"kind":"Name","value":"app0"},"name":{"kind":"Name","value":"sourceApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id0"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SourceAppCard"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"app1"},"name":{"kind":"Name","value":"sourceApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id1"}}}],"directives":[{"kind":"Directive","name":{"kind":"Name","value":"include"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"if"},"value":{"kind":"Variable","name":{"kind":"Name","value":"with1"}}}]}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SourceAppCard"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"app2"},"name":{"kind":"Name","value":"sourceApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id2"}}}],"directives":[{"kind":"Directive","name":{"kind":"Name","value":"include"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"if"},"value":{"kind":"Variable","name":{"kind":"Name","value":"with2"}}}]}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SourceAppCard"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"app3"},"name":{"kind":"Name","value":"sourceApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id3"}}}],"directives":[{"kind":"Directive","name":{"kind":"Name","value":"include"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"if"},"value":{"kind":"Variable","name":{"kind":"Name","value":"with3"}}}]}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SourceAppCard"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"app4"},"name":{"kind":"Name","value":"sourceApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id4"}}}],"directives":[{"kind":"Directive","name":{"kind":"Name","value":"include"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"if"},"value":{"kind":"Variable","name":{"kind":"Name","value":"with4"}}}]}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SourceAppCard"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SourceAppCard"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SourceApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"accountSource"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<SourceAppsByIdQuery, SourceAppsByIdQueryVariables>;