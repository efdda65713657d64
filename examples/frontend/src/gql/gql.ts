/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConnectorsPage($limit: Int!, $offset: Int!) {\n    connectors(limit: $limit, offset: $offset) {\n      items {\n        scriptName\n        name\n        type\n        status\n      }\n      hasMore\n    }\n  }\n": typeof types.ConnectorsPageDocument,
    "\n  query ConnectorDetail($scriptName: ID!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      name\n      type\n      className\n      status\n      statusRaw\n      directConnect\n      features\n      fileUpload\n      uploadedFiles\n    }\n  }\n": typeof types.ConnectorDetailDocument,
    "\n  query ConnectorFiles($scriptName: ID!, $locale: String!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      files {\n        sourceConfig\n        sourceTemplate\n        correlationConfig\n        translations(locale: $locale)\n      }\n    }\n  }\n": typeof types.ConnectorFilesDocument,
    "\n  mutation CreateConnectorCustomizer($input: CreateConnectorCustomizerInput!) {\n    createConnectorCustomizer(input: $input) {\n      id\n      name\n      tenantID\n      created\n    }\n  }\n": typeof types.CreateConnectorCustomizerDocument,
    "\n  query MyApps($limit: Int!) {\n    userApps(limit: $limit) {\n      items {\n        id\n        hasMultipleAccounts\n        sourceApp {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        account {\n          id\n          name\n        }\n      }\n      hasMore\n    }\n  }\n": typeof types.MyAppsDocument,
    "\n  query MyAppAccounts($id: ID!) {\n    userApps(filter: { id: $id }, limit: 1) {\n      items {\n        id\n        availableAccounts {\n          items {\n            id\n            displayName\n            nativeIdentity\n          }\n          totalCount\n          hasMore\n        }\n      }\n    }\n  }\n": typeof types.MyAppAccountsDocument,
    "\n  mutation ChooseUserAppAccount($id: ID!, $accountId: ID!) {\n    updateUserAppAccount(id: $id, accountId: $accountId) {\n      id\n      account {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ChooseUserAppAccountDocument,
    "\n  mutation CreateOAuthClient($input: CreateOAuthClientInput!) {\n    createOAuthClient(input: $input) {\n      id\n      name\n      secret\n      grantTypes\n      accessType\n      enabled\n      scope\n      accessTokenValiditySeconds\n    }\n  }\n": typeof types.CreateOAuthClientDocument,
    "\n  query SourceAppChoices {\n    sourceApps(limit: 8, sort: [{ field: NAME }]) {\n      items {\n        id\n        name\n      }\n    }\n  }\n": typeof types.SourceAppChoicesDocument,
    "\n  fragment SourceAppCard on SourceApp {\n    id\n    name\n    description\n    enabled\n    owner {\n      name\n    }\n    accountSource {\n      name\n    }\n  }\n": typeof types.SourceAppCardFragmentDoc,
    "\n  query SourceAppsById(\n    $id0: ID!\n    $id1: ID!\n    $id2: ID!\n    $id3: ID!\n    $id4: ID!\n    $with1: Boolean!\n    $with2: Boolean!\n    $with3: Boolean!\n    $with4: Boolean!\n  ) {\n    app0: sourceApp(id: $id0) {\n      ...SourceAppCard\n    }\n    app1: sourceApp(id: $id1) @include(if: $with1) {\n      ...SourceAppCard\n    }\n    app2: sourceApp(id: $id2) @include(if: $with2) {\n      ...SourceAppCard\n    }\n    app3: sourceApp(id: $id3) @include(if: $with3) {\n      ...SourceAppCard\n    }\n    app4: sourceApp(id: $id4) @include(if: $with4) {\n      ...SourceAppCard\n    }\n  }\n": typeof types.SourceAppsByIdDocument,
};
const documents: Documents = {
    "\n  query ConnectorsPage($limit: Int!, $offset: Int!) {\n    connectors(limit: $limit, offset: $offset) {\n      items {\n        scriptName\n        name\n        type\n        status\n      }\n      hasMore\n    }\n  }\n": types.ConnectorsPageDocument,
    "\n  query ConnectorDetail($scriptName: ID!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      name\n      type\n      className\n      status\n      statusRaw\n      directConnect\n      features\n      fileUpload\n      uploadedFiles\n    }\n  }\n": types.ConnectorDetailDocument,
    "\n  query ConnectorFiles($scriptName: ID!, $locale: String!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      files {\n        sourceConfig\n        sourceTemplate\n        correlationConfig\n        translations(locale: $locale)\n      }\n    }\n  }\n": types.ConnectorFilesDocument,
    "\n  mutation CreateConnectorCustomizer($input: CreateConnectorCustomizerInput!) {\n    createConnectorCustomizer(input: $input) {\n      id\n      name\n      tenantID\n      created\n    }\n  }\n": types.CreateConnectorCustomizerDocument,
    "\n  query MyApps($limit: Int!) {\n    userApps(limit: $limit) {\n      items {\n        id\n        hasMultipleAccounts\n        sourceApp {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        account {\n          id\n          name\n        }\n      }\n      hasMore\n    }\n  }\n": types.MyAppsDocument,
    "\n  query MyAppAccounts($id: ID!) {\n    userApps(filter: { id: $id }, limit: 1) {\n      items {\n        id\n        availableAccounts {\n          items {\n            id\n            displayName\n            nativeIdentity\n          }\n          totalCount\n          hasMore\n        }\n      }\n    }\n  }\n": types.MyAppAccountsDocument,
    "\n  mutation ChooseUserAppAccount($id: ID!, $accountId: ID!) {\n    updateUserAppAccount(id: $id, accountId: $accountId) {\n      id\n      account {\n        id\n        name\n      }\n    }\n  }\n": types.ChooseUserAppAccountDocument,
    "\n  mutation CreateOAuthClient($input: CreateOAuthClientInput!) {\n    createOAuthClient(input: $input) {\n      id\n      name\n      secret\n      grantTypes\n      accessType\n      enabled\n      scope\n      accessTokenValiditySeconds\n    }\n  }\n": types.CreateOAuthClientDocument,
    "\n  query SourceAppChoices {\n    sourceApps(limit: 8, sort: [{ field: NAME }]) {\n      items {\n        id\n        name\n      }\n    }\n  }\n": types.SourceAppChoicesDocument,
    "\n  fragment SourceAppCard on SourceApp {\n    id\n    name\n    description\n    enabled\n    owner {\n      name\n    }\n    accountSource {\n      name\n    }\n  }\n": types.SourceAppCardFragmentDoc,
    "\n  query SourceAppsById(\n    $id0: ID!\n    $id1: ID!\n    $id2: ID!\n    $id3: ID!\n    $id4: ID!\n    $with1: Boolean!\n    $with2: Boolean!\n    $with3: Boolean!\n    $with4: Boolean!\n  ) {\n    app0: sourceApp(id: $id0) {\n      ...SourceAppCard\n    }\n    app1: sourceApp(id: $id1) @include(if: $with1) {\n      ...SourceAppCard\n    }\n    app2: sourceApp(id: $id2) @include(if: $with2) {\n      ...SourceAppCard\n    }\n    app3: sourceApp(id: $id3) @include(if: $with3) {\n      ...SourceAppCard\n    }\n    app4: sourceApp(id: $id4) @include(if: $with4) {\n      ...SourceAppCard\n    }\n  }\n": types.SourceAppsByIdDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectorsPage($limit: Int!, $offset: Int!) {\n    connectors(limit: $limit, offset: $offset) {\n      items {\n        scriptName\n        name\n        type\n        status\n      }\n      hasMore\n    }\n  }\n"): (typeof documents)["\n  query ConnectorsPage($limit: Int!, $offset: Int!) {\n    connectors(limit: $limit, offset: $offset) {\n      items {\n        scriptName\n        name\n        type\n        status\n      }\n      hasMore\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectorDetail($scriptName: ID!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      name\n      type\n      className\n      status\n      statusRaw\n      directConnect\n      features\n      fileUpload\n      uploadedFiles\n    }\n  }\n"): (typeof documents)["\n  query ConnectorDetail($scriptName: ID!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      name\n      type\n      className\n      status\n      statusRaw\n      directConnect\n      features\n      fileUpload\n      uploadedFiles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectorFiles($scriptName: ID!, $locale: String!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      files {\n        sourceConfig\n        sourceTemplate\n        correlationConfig\n        translations(locale: $locale)\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConnectorFiles($scriptName: ID!, $locale: String!) {\n    connector(scriptName: $scriptName) {\n      scriptName\n      files {\n        sourceConfig\n        sourceTemplate\n        correlationConfig\n        translations(locale: $locale)\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateConnectorCustomizer($input: CreateConnectorCustomizerInput!) {\n    createConnectorCustomizer(input: $input) {\n      id\n      name\n      tenantID\n      created\n    }\n  }\n"): (typeof documents)["\n  mutation CreateConnectorCustomizer($input: CreateConnectorCustomizerInput!) {\n    createConnectorCustomizer(input: $input) {\n      id\n      name\n      tenantID\n      created\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyApps($limit: Int!) {\n    userApps(limit: $limit) {\n      items {\n        id\n        hasMultipleAccounts\n        sourceApp {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        account {\n          id\n          name\n        }\n      }\n      hasMore\n    }\n  }\n"): (typeof documents)["\n  query MyApps($limit: Int!) {\n    userApps(limit: $limit) {\n      items {\n        id\n        hasMultipleAccounts\n        sourceApp {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        account {\n          id\n          name\n        }\n      }\n      hasMore\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyAppAccounts($id: ID!) {\n    userApps(filter: { id: $id }, limit: 1) {\n      items {\n        id\n        availableAccounts {\n          items {\n            id\n            displayName\n            nativeIdentity\n          }\n          totalCount\n          hasMore\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyAppAccounts($id: ID!) {\n    userApps(filter: { id: $id }, limit: 1) {\n      items {\n        id\n        availableAccounts {\n          items {\n            id\n            displayName\n            nativeIdentity\n          }\n          totalCount\n          hasMore\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChooseUserAppAccount($id: ID!, $accountId: ID!) {\n    updateUserAppAccount(id: $id, accountId: $accountId) {\n      id\n      account {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChooseUserAppAccount($id: ID!, $accountId: ID!) {\n    updateUserAppAccount(id: $id, accountId: $accountId) {\n      id\n      account {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOAuthClient($input: CreateOAuthClientInput!) {\n    createOAuthClient(input: $input) {\n      id\n      name\n      secret\n      grantTypes\n      accessType\n      enabled\n      scope\n      accessTokenValiditySeconds\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOAuthClient($input: CreateOAuthClientInput!) {\n    createOAuthClient(input: $input) {\n      id\n      name\n      secret\n      grantTypes\n      accessType\n      enabled\n      scope\n      accessTokenValiditySeconds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SourceAppChoices {\n    sourceApps(limit: 8, sort: [{ field: NAME }]) {\n      items {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query SourceAppChoices {\n    sourceApps(limit: 8, sort: [{ field: NAME }]) {\n      items {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SourceAppCard on SourceApp {\n    id\n    name\n    description\n    enabled\n    owner {\n      name\n    }\n    accountSource {\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment SourceAppCard on SourceApp {\n    id\n    name\n    description\n    enabled\n    owner {\n      name\n    }\n    accountSource {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SourceAppsById(\n    $id0: ID!\n    $id1: ID!\n    $id2: ID!\n    $id3: ID!\n    $id4: ID!\n    $with1: Boolean!\n    $with2: Boolean!\n    $with3: Boolean!\n    $with4: Boolean!\n  ) {\n    app0: sourceApp(id: $id0) {\n      ...SourceAppCard\n    }\n    app1: sourceApp(id: $id1) @include(if: $with1) {\n      ...SourceAppCard\n    }\n    app2: sourceApp(id: $id2) @include(if: $with2) {\n      ...SourceAppCard\n    }\n    app3: sourceApp(id: $id3) @include(if: $with3) {\n      ...SourceAppCard\n    }\n    app4: sourceApp(id: $id4) @include(if: $with4) {\n      ...SourceAppCard\n    }\n  }\n"): (typeof documents)["\n  query SourceAppsById(\n    $id0: ID!\n    $id1: ID!\n    $id2: ID!\n    $id3: ID!\n    $id4: ID!\n    $with1: Boolean!\n    $with2: Boolean!\n    $with3: Boolean!\n    $with4: Boolean!\n  ) {\n    app0: sourceApp(id: $id0) {\n      ...SourceAppCard\n    }\n    app1: sourceApp(id: $id1) @include(if: $with1) {\n      ...SourceAppCard\n    }\n    app2: sourceApp(id: $id2) @include(if: $with2) {\n      ...SourceAppCard\n    }\n    app3: sourceApp(id: $id3) @include(if: $with3) {\n      ...SourceAppCard\n    }\n    app4: sourceApp(id: $id4) @include(if: $with4) {\n      ...SourceAppCard\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;