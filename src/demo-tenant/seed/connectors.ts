/**
 * Seed catalogue of the demo tenant's connectors, modelled on the connectors a real ISC tenant
 * lists. Everything is generated deterministically from the table at the bottom (no randomness),
 * so tests can rely on names, counts and file contents. The wording is the demo tenant's own.
 */

/** One connector as the demo tenant stores it (superset of V3ConnectorDto and ConnectorDetail). */
export interface ConnectorRecord {
  name: string;
  type: string;
  className: string;
  scriptName: string;
  directConnect: boolean;
  /** Usually one of DEPRECATED / DEVELOPMENT / DEMO / RELEASED; one seed entry is outside that enum on purpose. */
  status: string;
  features: string[] | null;
  category: string;
  labels: string[];
  connectorMetadata: Record<string, unknown>;
  /** The source template (GET/PUT `/source-template`). */
  applicationXml: string;
  /** GET/PUT `/correlation-config`. */
  correlationConfigXml: string;
  /** GET/PUT `/source-config`. */
  sourceConfigXml: string;
  sourceConfig: string | null;
  sourceConfigFrom: string | null;
  s3Location: string;
  uploadedFiles: string[] | null;
  fileUpload: boolean;
  /** locale → Java properties text; `en` is always present and is the fallback. */
  translations: Record<string, string>;
}

type Kind = 'ldap' | 'rest' | 'jdbc' | 'file' | 'sap' | 'scim' | 'aws' | 'unix';
type Locale = 'en' | 'de' | 'fr' | 'ja';

// ---------------------------------------------------------------------------------------------
// Per-kind shape: configuration fields, account schema and the correlation rule.

interface KindShape {
  fields: string[];
  identityAttribute: string;
  displayAttribute: string;
  attributes: Array<[name: string, type: string, multi?: boolean]>;
  /** [account attribute, identity attribute] */
  correlation: [string, string];
}

const SHAPES: Record<Kind, KindShape> = {
  ldap: {
    fields: ['host', 'port', 'user', 'password', 'searchDN', 'useSSL', 'pageSize'],
    identityAttribute: 'distinguishedName',
    displayAttribute: 'sAMAccountName',
    attributes: [
      ['distinguishedName', 'string'],
      ['sAMAccountName', 'string'],
      ['mail', 'string'],
      ['givenName', 'string'],
      ['sn', 'string'],
      ['memberOf', 'string', true],
    ],
    correlation: ['mail', 'email'],
  },
  rest: {
    fields: ['baseUrl', 'clientId', 'clientSecret', 'tokenUrl', 'pageSize'],
    identityAttribute: 'id',
    displayAttribute: 'userName',
    attributes: [
      ['id', 'string'],
      ['userName', 'string'],
      ['email', 'string'],
      ['firstName', 'string'],
      ['lastName', 'string'],
      ['active', 'boolean'],
      ['groups', 'string', true],
    ],
    correlation: ['email', 'email'],
  },
  scim: {
    fields: ['baseUrl', 'apiToken', 'pageSize'],
    identityAttribute: 'id',
    displayAttribute: 'userName',
    attributes: [
      ['id', 'string'],
      ['userName', 'string'],
      ['emails.value', 'string'],
      ['name.givenName', 'string'],
      ['name.familyName', 'string'],
      ['active', 'boolean'],
      ['groups', 'string', true],
    ],
    correlation: ['userName', 'uid'],
  },
  jdbc: {
    fields: ['url', 'driverClass', 'user', 'password', 'accountSQL'],
    identityAttribute: 'ACCOUNT_ID',
    displayAttribute: 'USER_NAME',
    attributes: [
      ['ACCOUNT_ID', 'string'],
      ['USER_NAME', 'string'],
      ['EMAIL', 'string'],
      ['STATUS', 'string'],
      ['ROLES', 'string', true],
    ],
    correlation: ['EMAIL', 'email'],
  },
  file: {
    fields: ['fileName', 'delimiter', 'hasHeader'],
    identityAttribute: 'employeeId',
    displayAttribute: 'displayName',
    attributes: [
      ['employeeId', 'string'],
      ['displayName', 'string'],
      ['email', 'string'],
      ['department', 'string'],
      ['entitlements', 'string', true],
    ],
    correlation: ['employeeId', 'employeeNumber'],
  },
  sap: {
    fields: ['host', 'systemNumber', 'client', 'user', 'password'],
    identityAttribute: 'USERNAME',
    displayAttribute: 'USERNAME',
    attributes: [
      ['USERNAME', 'string'],
      ['FULLNAME', 'string'],
      ['E_MAIL', 'string'],
      ['USER_TYPE', 'string'],
      ['ROLES', 'string', true],
      ['PROFILES', 'string', true],
    ],
    correlation: ['E_MAIL', 'email'],
  },
  aws: {
    fields: ['accessKeyId', 'secretAccessKey', 'region'],
    identityAttribute: 'arn',
    displayAttribute: 'userName',
    attributes: [
      ['arn', 'string'],
      ['userName', 'string'],
      ['accountId', 'string'],
      ['groups', 'string', true],
      ['policies', 'string', true],
    ],
    correlation: ['userName', 'uid'],
  },
  unix: {
    fields: ['host', 'port', 'user', 'password'],
    identityAttribute: 'username',
    displayAttribute: 'username',
    attributes: [
      ['username', 'string'],
      ['uid', 'int'],
      ['home', 'string'],
      ['shell', 'string'],
      ['groups', 'string', true],
    ],
    correlation: ['username', 'uid'],
  },
};

/** Field labels per locale: [label, help]. */
const FIELD_TEXT: Record<string, Record<Locale, [string, string]>> = {
  host: {
    en: ['Host', 'Name or address of the server'],
    de: ['Host', 'Name oder Adresse des Servers'],
    fr: ['Hôte', 'Nom ou adresse du serveur'],
    ja: ['ホスト', 'サーバーの名前またはアドレス'],
  },
  port: {
    en: ['Port', 'TCP port of the service'],
    de: ['Port', 'TCP-Port des Dienstes'],
    fr: ['Port', 'Port TCP du service'],
    ja: ['ポート', 'サービスのTCPポート'],
  },
  user: {
    en: ['Service account', 'Account the connector signs in with'],
    de: ['Dienstkonto', 'Konto, mit dem sich der Connector anmeldet'],
    fr: ['Compte de service', 'Compte utilisé par le connecteur'],
    ja: ['サービスアカウント', 'コネクタがサインインするアカウント'],
  },
  password: {
    en: ['Password', 'Password of the service account'],
    de: ['Passwort', 'Passwort des Dienstkontos'],
    fr: ['Mot de passe', 'Mot de passe du compte de service'],
    ja: ['パスワード', 'サービスアカウントのパスワード'],
  },
  searchDN: {
    en: ['Search base', 'Where account searches start'],
    de: ['Suchbasis', 'Startpunkt der Kontosuche'],
    fr: ['Base de recherche', 'Point de départ des recherches'],
    ja: ['検索ベース', 'アカウント検索の開始位置'],
  },
  useSSL: {
    en: ['Use TLS', 'Encrypt the connection'],
    de: ['TLS verwenden', 'Verbindung verschlüsseln'],
    fr: ['Utiliser TLS', 'Chiffrer la connexion'],
    ja: ['TLSを使用', '接続を暗号化する'],
  },
  pageSize: {
    en: ['Page size', 'Records fetched per call'],
    de: ['Seitengröße', 'Datensätze pro Aufruf'],
    fr: ['Taille de page', 'Enregistrements par appel'],
    ja: ['ページサイズ', '1回の呼び出しで取得する件数'],
  },
  baseUrl: {
    en: ['Base URL', 'Root address of the API'],
    de: ['Basis-URL', 'Stammadresse der API'],
    fr: ['URL de base', "Adresse racine de l'API"],
    ja: ['ベースURL', 'APIのルートアドレス'],
  },
  clientId: {
    en: ['Client ID', 'OAuth client identifier'],
    de: ['Client-ID', 'Kennung des OAuth-Clients'],
    fr: ['ID client', 'Identifiant du client OAuth'],
    ja: ['クライアントID', 'OAuthクライアントの識別子'],
  },
  clientSecret: {
    en: ['Client secret', 'OAuth client secret'],
    de: ['Client-Geheimnis', 'Geheimnis des OAuth-Clients'],
    fr: ['Secret client', 'Secret du client OAuth'],
    ja: ['クライアントシークレット', 'OAuthクライアントのシークレット'],
  },
  tokenUrl: {
    en: ['Token URL', 'Where access tokens are requested'],
    de: ['Token-URL', 'Adresse für Zugriffstoken'],
    fr: ['URL du jeton', "Adresse des jetons d'accès"],
    ja: ['トークンURL', 'アクセストークンの取得先'],
  },
  apiToken: {
    en: ['API token', 'Bearer token for the API'],
    de: ['API-Token', 'Bearer-Token für die API'],
    fr: ['Jeton API', "Jeton porteur pour l'API"],
    ja: ['APIトークン', 'API用のベアラートークン'],
  },
  url: {
    en: ['JDBC URL', 'Connection string of the database'],
    de: ['JDBC-URL', 'Verbindungszeichenfolge der Datenbank'],
    fr: ['URL JDBC', 'Chaîne de connexion de la base'],
    ja: ['JDBC URL', 'データベースの接続文字列'],
  },
  driverClass: {
    en: ['Driver class', 'Fully qualified JDBC driver class'],
    de: ['Treiberklasse', 'Vollständiger Name der JDBC-Treiberklasse'],
    fr: ['Classe du pilote', 'Classe complète du pilote JDBC'],
    ja: ['ドライバークラス', 'JDBCドライバーの完全修飾クラス名'],
  },
  accountSQL: {
    en: ['Account query', 'SQL that lists the accounts'],
    de: ['Kontoabfrage', 'SQL, das die Konten liefert'],
    fr: ['Requête des comptes', 'SQL qui liste les comptes'],
    ja: ['アカウントクエリ', 'アカウント一覧を返すSQL'],
  },
  fileName: {
    en: ['File name', 'Name of the uploaded file'],
    de: ['Dateiname', 'Name der hochgeladenen Datei'],
    fr: ['Nom du fichier', 'Nom du fichier téléversé'],
    ja: ['ファイル名', 'アップロードしたファイルの名前'],
  },
  delimiter: {
    en: ['Delimiter', 'Character between columns'],
    de: ['Trennzeichen', 'Zeichen zwischen den Spalten'],
    fr: ['Délimiteur', 'Caractère entre les colonnes'],
    ja: ['区切り文字', '列の区切り文字'],
  },
  hasHeader: {
    en: ['Header row', 'First line names the columns'],
    de: ['Kopfzeile', 'Erste Zeile enthält Spaltennamen'],
    fr: ["Ligne d'en-tête", 'La première ligne nomme les colonnes'],
    ja: ['ヘッダー行', '1行目に列名がある'],
  },
  systemNumber: {
    en: ['System number', 'Two-digit instance number'],
    de: ['Systemnummer', 'Zweistellige Instanznummer'],
    fr: ['Numéro de système', "Numéro d'instance à deux chiffres"],
    ja: ['システム番号', '2桁のインスタンス番号'],
  },
  client: {
    en: ['Client', 'Three-digit SAP client'],
    de: ['Mandant', 'Dreistelliger SAP-Mandant'],
    fr: ['Mandant', 'Mandant SAP à trois chiffres'],
    ja: ['クライアント', '3桁のSAPクライアント'],
  },
  accessKeyId: {
    en: ['Access key ID', 'Key of the IAM user'],
    de: ['Zugriffsschlüssel-ID', 'Schlüssel des IAM-Benutzers'],
    fr: ["ID de clé d'accès", "Clé de l'utilisateur IAM"],
    ja: ['アクセスキーID', 'IAMユーザーのキー'],
  },
  secretAccessKey: {
    en: ['Secret access key', 'Secret of the IAM user'],
    de: ['Geheimer Zugriffsschlüssel', 'Geheimnis des IAM-Benutzers'],
    fr: ["Clé d'accès secrète", "Secret de l'utilisateur IAM"],
    ja: ['シークレットアクセスキー', 'IAMユーザーのシークレット'],
  },
  region: {
    en: ['Region', 'Default region'],
    de: ['Region', 'Standardregion'],
    fr: ['Région', 'Région par défaut'],
    ja: ['リージョン', '既定のリージョン'],
  },
};

const SECTION_TEXT: Record<Locale, [string, string]> = {
  en: ['Connection settings', 'Aggregation settings'],
  de: ['Verbindungseinstellungen', 'Aggregationseinstellungen'],
  fr: ['Paramètres de connexion', "Paramètres d'agrégation"],
  ja: ['接続設定', '集約設定'],
};

const SECRET_FIELDS = new Set(['password', 'clientSecret', 'apiToken', 'secretAccessKey']);
const AGGREGATION_FIELDS = new Set(['pageSize', 'accountSQL', 'searchDN', 'hasHeader', 'delimiter']);

// ---------------------------------------------------------------------------------------------
// Text builders

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'connector'
  );
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Java properties escaping: backslash, line breaks, and \uXXXX for anything outside ASCII. */
function propertiesEscape(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (code > 0x7e) {
      // Astral characters become their two UTF-16 escapes, as Java writes them.
      for (const unit of ch.split('')) out += `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

interface FileInput {
  name: string;
  type: string;
  className: string;
  scriptName: string;
  features: string[];
  kind: Kind;
  directConnect: boolean;
}

function applicationXml(c: FileInput): string {
  const shape = SHAPES[c.kind];
  const attrs = shape.attributes
    .map(([n, t, multi]) => `      <AttributeDefinition name="${n}" type="${t}"${multi ? ' multi="true"' : ''}/>`)
    .join('\n');
  return [
    `<?xml version='1.0' encoding='UTF-8'?>`,
    `<!DOCTYPE Application PUBLIC "sailpoint.dtd" "sailpoint.dtd">`,
    `<Application connector="${xmlEscape(c.className)}" featuresString="${c.features.join(', ')}" name="${xmlEscape(c.name)}" type="${xmlEscape(c.type)}">`,
    `  <Attributes>`,
    `    <Map>`,
    `      <entry key="connectorScriptName" value="${xmlEscape(c.scriptName)}"/>`,
    `      <entry key="directConnect" value="${c.directConnect}"/>`,
    ...shape.fields.filter((f) => !SECRET_FIELDS.has(f)).map((f) => `      <entry key="${f}"/>`),
    `    </Map>`,
    `  </Attributes>`,
    `  <Schemas>`,
    `    <Schema displayAttribute="${shape.displayAttribute}" identityAttribute="${shape.identityAttribute}" objectType="account">`,
    attrs,
    `    </Schema>`,
    `  </Schemas>`,
    `</Application>`,
    '',
  ].join('\n');
}

function sourceConfigXml(c: FileInput): string {
  const shape = SHAPES[c.kind];
  const field = (f: string): string =>
    `      <Field displayName="field.${f}.label" helpKey="field.${f}.help" name="${f}" type="${SECRET_FIELDS.has(f) ? 'secret' : f === 'useSSL' || f === 'hasHeader' ? 'boolean' : f === 'pageSize' || f === 'port' ? 'int' : 'string'}"${SECRET_FIELDS.has(f) || f === 'host' || f === 'baseUrl' || f === 'url' ? ' required="true"' : ''}/>`;
  return [
    `<?xml version='1.0' encoding='UTF-8'?>`,
    `<!DOCTYPE Form PUBLIC "sailpoint.dtd" "sailpoint.dtd">`,
    `<Form connectorName="${xmlEscape(c.type)}" directConnect="${c.directConnect}" name="${xmlEscape(c.name)} configuration" status="released" type="SourceConfig">`,
    `  <Attributes>`,
    `    <Map>`,
    `      <entry key="pageTitle" value="connector.displayName"/>`,
    `    </Map>`,
    `  </Attributes>`,
    `  <Section label="section.connection" name="connection">`,
    ...shape.fields.filter((f) => !AGGREGATION_FIELDS.has(f)).map(field),
    `  </Section>`,
    `  <Section label="section.aggregation" name="aggregation">`,
    ...shape.fields.filter((f) => AGGREGATION_FIELDS.has(f)).map(field),
    `  </Section>`,
    `</Form>`,
    '',
  ].join('\n');
}

function correlationConfigXml(c: FileInput): string {
  const [accountAttribute, identityAttribute] = SHAPES[c.kind].correlation;
  return [
    `<?xml version='1.0' encoding='UTF-8'?>`,
    `<!DOCTYPE CorrelationConfig PUBLIC "sailpoint.dtd" "sailpoint.dtd">`,
    `<CorrelationConfig name="${xmlEscape(c.name)} account correlation">`,
    `  <AttributeAssignments>`,
    `    <Filter joinProperty="${accountAttribute}" operation="EQ" property="${identityAttribute}"/>`,
    `  </AttributeAssignments>`,
    `</CorrelationConfig>`,
    '',
  ].join('\n');
}

function translationsFile(c: FileInput, locale: Locale, shortDesc: string): string {
  const lines = [`# ${c.name}: configuration labels (${locale})`, `connector.displayName=${propertiesEscape(c.name)}`];
  if (locale === 'en') lines.push(`connector.shortDesc=${propertiesEscape(shortDesc)}`);
  const [connection, aggregation] = SECTION_TEXT[locale];
  lines.push(`section.connection=${propertiesEscape(connection)}`, `section.aggregation=${propertiesEscape(aggregation)}`);
  for (const f of SHAPES[c.kind].fields) {
    const [label, help] = FIELD_TEXT[f][locale];
    lines.push(`field.${f}.label=${propertiesEscape(label)}`, `field.${f}.help=${propertiesEscape(help)}`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Building records

interface Row {
  name: string;
  type: string;
  className: string;
  /** Defaults to `${slugify(name)}-angularsc`, the pattern of ISC's built-in connectors. */
  scriptName?: string;
  kind: Kind;
  category: string;
  labels: string[];
  /** Space-separated feature names; `null` = the connector reports none (nullable in the API). */
  features: string | null;
  shortDesc: string;
  status?: string;
  directConnect?: boolean;
  platform?: 'ccg' | 'cloud' | 'saas';
  locales?: Locale[];
  uploadedFiles?: string[] | null;
  sourceConfigFrom?: string | null;
  /** Custom connectors built on the SaaS connectivity framework carry no source config JSON. */
  withSourceConfig?: boolean;
}

function buildRecord(row: Row): ConnectorRecord {
  const scriptName = row.scriptName ?? `${slugify(row.name)}-angularsc`;
  const features = row.features === null ? null : row.features.split(' ').filter(Boolean);
  const input: FileInput = {
    name: row.name,
    type: row.type,
    className: row.className,
    scriptName,
    features: features ?? [],
    kind: row.kind,
    directConnect: row.directConnect ?? true,
  };
  const translations: Record<string, string> = {};
  for (const locale of ['en', ...(row.locales ?? [])] as Locale[]) translations[locale] = translationsFile(input, locale, row.shortDesc);
  const uploadedFiles = row.uploadedFiles === undefined ? [] : row.uploadedFiles;
  return {
    name: row.name,
    type: row.type,
    className: row.className,
    scriptName,
    directConnect: row.directConnect ?? true,
    status: row.status ?? 'RELEASED',
    features,
    category: row.category,
    labels: row.labels,
    connectorMetadata: {
      supportedUI: 'ANGULAR',
      platform: row.platform ?? 'ccg',
      shortDesc: row.shortDesc,
      iconName: row.kind === 'file' ? 'file' : slugify(row.type),
      vaultEnabled: row.labels.includes('vault'),
    },
    applicationXml: applicationXml(input),
    correlationConfigXml: correlationConfigXml(input),
    sourceConfigXml: sourceConfigXml(input),
    sourceConfig: row.withSourceConfig === false ? null : JSON.stringify({ form: `${scriptName}-config`, fields: SHAPES[row.kind].fields }),
    sourceConfigFrom: row.sourceConfigFrom === undefined ? 'bundle' : row.sourceConfigFrom,
    s3Location: `demo-connector-bundles/${scriptName}`,
    uploadedFiles,
    fileUpload: (uploadedFiles?.length ?? 0) > 0 || row.kind === 'file',
    translations,
  };
}

export interface NewConnectorInput {
  name: string;
  className: string;
  type: string;
  directConnect: boolean;
  status: string;
  scriptName: string;
}

/** A connector created through `POST /connectors`: a custom connector with default files. */
export function newCustomConnector(input: NewConnectorInput): ConnectorRecord {
  return buildRecord({
    ...input,
    kind: 'rest',
    category: 'custom',
    labels: ['custom'],
    features: '',
    shortDesc: `Custom connector ${input.name}`,
    platform: 'saas',
    sourceConfigFrom: null,
    withSourceConfig: false,
  });
}

// ---------------------------------------------------------------------------------------------
// The catalogue

const AD_FEATURES =
  'AUTHENTICATE PROVISIONING PASSWORD CURRENT_PASSWORD ENABLE UNLOCK SEARCH GROUP_PROVISION SYNC_PROVISIONING MANAGER_LOOKUP DIRECT_PERMISSIONS DELETE';
const SAAS_FEATURES = 'PROVISIONING ENABLE SEARCH GROUP_PROVISION SYNC_PROVISIONING';
const HR_FEATURES = 'SEARCH NO_RANDOM_ACCESS MANAGER_LOOKUP';
const DB_FEATURES = 'PROVISIONING PASSWORD ENABLE UNLOCK SEARCH SYNC_PROVISIONING DISCOVER_SCHEMA';

const ROWS: Row[] = [
  {
    name: 'Active Directory',
    type: 'Active Directory - Direct',
    className: 'sailpoint.connector.ADLDAPConnector',
    scriptName: 'active-directory-angularsc',
    kind: 'ldap',
    category: 'directory',
    labels: ['on-premises', 'vault', 'microsoft'],
    features: AD_FEATURES,
    shortDesc: 'Accounts, groups and passwords in on-premises Windows domains.',
    locales: ['de', 'fr', 'ja'],
    uploadedFiles: ['adldap-connector-8.4.jar'],
  },
  {
    name: 'Microsoft Entra ID',
    type: 'Azure Active Directory',
    className: 'sailpoint.connector.AzureADConnector',
    scriptName: 'azure-active-directory-angularsc',
    kind: 'rest',
    category: 'directory',
    labels: ['cloud', 'microsoft'],
    features: `${SAAS_FEATURES} PASSWORD MANAGER_LOOKUP DELETE`,
    shortDesc: 'Cloud users, groups, licences and directory roles in Microsoft Entra ID.',
    locales: ['de', 'fr', 'ja'],
  },
  {
    name: 'Workday',
    type: 'Workday',
    className: 'sailpoint.connector.WorkdayConnector',
    kind: 'rest',
    category: 'hr',
    labels: ['cloud', 'authoritative'],
    features: `${HR_FEATURES} PROVISIONING SYNC_PROVISIONING`,
    shortDesc: 'Workers, positions and organisations from Workday as the authoritative source.',
    locales: ['de', 'fr'],
    directConnect: true,
  },
  {
    name: 'Workday Accounts',
    type: 'Workday Accounts',
    className: 'sailpoint.connector.WorkdayAccountsConnector',
    kind: 'rest',
    category: 'hr',
    labels: ['cloud'],
    features: SAAS_FEATURES,
    shortDesc: 'Workday user accounts and security groups.',
  },
  {
    name: 'ServiceNow',
    type: 'ServiceNow',
    className: 'sailpoint.connector.ServiceNowConnector',
    kind: 'rest',
    category: 'itsm',
    labels: ['cloud'],
    features: `${SAAS_FEATURES} PASSWORD DELETE`,
    shortDesc: 'Users, groups and roles of a ServiceNow instance.',
    locales: ['de'],
  },
  {
    name: 'Salesforce',
    type: 'Salesforce',
    className: 'sailpoint.connector.SalesforceConnector',
    kind: 'rest',
    category: 'crm',
    labels: ['cloud'],
    features: `${SAAS_FEATURES} PASSWORD`,
    shortDesc: 'Users, profiles and permission sets in Salesforce orgs.',
    locales: ['de', 'fr', 'ja'],
  },
  {
    name: 'SAP ERP',
    type: 'SAP - Direct',
    className: 'sailpoint.connector.SAPConnector',
    scriptName: 'sap-direct-angularsc',
    kind: 'sap',
    category: 'erp',
    labels: ['on-premises', 'vault'],
    features: `${DB_FEATURES} AUTHENTICATE GROUP_PROVISION`,
    shortDesc: 'Users, roles and profiles of SAP ABAP systems over RFC.',
    locales: ['de'],
    uploadedFiles: ['sapjco3.jar', 'libsapjco3.so'],
  },
  {
    name: 'SAP SuccessFactors',
    type: 'SuccessFactors',
    className: 'sailpoint.connector.SuccessFactorsConnector',
    kind: 'rest',
    category: 'hr',
    labels: ['cloud', 'authoritative'],
    features: `${HR_FEATURES} PROVISIONING`,
    shortDesc: 'Employee records from SAP SuccessFactors Employee Central.',
    locales: ['de'],
  },
  {
    name: 'SAP HANA Database',
    type: 'SAP HANA Database',
    className: 'sailpoint.connector.SAPHANAConnector',
    kind: 'jdbc',
    category: 'database',
    labels: ['on-premises'],
    features: DB_FEATURES,
    shortDesc: 'Database users and roles of SAP HANA.',
    uploadedFiles: ['ngdbc.jar'],
  },
  {
    name: 'Okta',
    type: 'Okta',
    className: 'sailpoint.connector.OktaConnector',
    kind: 'rest',
    category: 'directory',
    labels: ['cloud'],
    features: `${SAAS_FEATURES} PASSWORD UNLOCK DELETE`,
    shortDesc: 'Users, groups and application assignments in an Okta org.',
    locales: ['fr'],
  },
  {
    name: 'Google Workspace',
    type: 'Google Apps - Direct',
    className: 'sailpoint.connector.GoogleAppsConnector',
    scriptName: 'google-apps-direct-angularsc',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud'],
    features: `${SAAS_FEATURES} PASSWORD DELETE`,
    shortDesc: 'Users, groups and organisational units of Google Workspace.',
    locales: ['de', 'fr', 'ja'],
  },
  {
    name: 'JDBC',
    type: 'JDBC',
    className: 'sailpoint.connector.JDBCConnector',
    scriptName: 'jdbc-angularsc',
    kind: 'jdbc',
    category: 'database',
    labels: ['on-premises', 'generic'],
    features: `${DB_FEATURES} GROUP_PROVISION`,
    shortDesc: 'Any relational database reachable through a JDBC driver.',
    locales: ['de'],
    uploadedFiles: ['ojdbc11.jar', 'mssql-jdbc-12.4.2.jre11.jar'],
  },
  {
    name: 'Delimited File',
    type: 'DelimitedFile',
    className: 'sailpoint.connector.DelimitedFileConnector',
    scriptName: 'delimited-file-angularsc',
    kind: 'file',
    category: 'file',
    labels: ['generic', 'flat-file'],
    features: 'NO_RANDOM_ACCESS DISCOVER_SCHEMA',
    shortDesc: 'Accounts and entitlements read from an uploaded CSV file.',
    directConnect: false,
    locales: ['de', 'fr', 'ja'],
    uploadedFiles: ['accounts.csv'],
  },
  {
    name: 'LDAP',
    type: 'LDAP - Direct',
    className: 'sailpoint.connector.LDAPConnector',
    scriptName: 'ldap-angularsc',
    kind: 'ldap',
    category: 'directory',
    labels: ['on-premises', 'generic', 'vault'],
    features: 'AUTHENTICATE PROVISIONING PASSWORD ENABLE SEARCH GROUP_PROVISION SYNC_PROVISIONING',
    shortDesc: 'Any LDAP v3 directory such as OpenLDAP or 389 Directory Server.',
    locales: ['de', 'fr'],
  },
  {
    name: 'Web Services',
    type: 'Web Services',
    className: 'sailpoint.connector.WebServicesConnector',
    scriptName: 'web-services-angularsc',
    kind: 'rest',
    category: 'generic',
    labels: ['generic', 'cloud', 'on-premises'],
    features: `${SAAS_FEATURES} PASSWORD UNLOCK DELETE`,
    shortDesc: 'Any HTTP/JSON API, configured operation by operation.',
    locales: ['de', 'fr', 'ja'],
  },
  {
    name: 'SCIM 2.0',
    type: 'SCIM 2.0',
    className: 'sailpoint.connector.SCIM2Connector',
    scriptName: 'scim2-angularsc',
    kind: 'scim',
    category: 'generic',
    labels: ['generic', 'cloud', 'standard'],
    features: `${SAAS_FEATURES} PASSWORD DELETE`,
    shortDesc: 'Any service that speaks the SCIM 2.0 protocol.',
    locales: ['de', 'fr', 'ja'],
  },
  {
    name: 'SCIM 1.1',
    type: 'SCIM 1.1',
    className: 'sailpoint.connector.SCIMConnector',
    scriptName: 'scim-angularsc',
    kind: 'scim',
    category: 'generic',
    labels: ['generic', 'standard'],
    features: 'PROVISIONING ENABLE SEARCH',
    shortDesc: 'Services on the older SCIM 1.1 protocol; use SCIM 2.0 for new sources.',
    status: 'DEPRECATED',
  },
  {
    name: 'Amazon Web Services',
    type: 'AWS',
    className: 'sailpoint.connector.AWSConnector',
    scriptName: 'aws-angularsc',
    kind: 'aws',
    category: 'cloud-infrastructure',
    labels: ['cloud', 'cloud-infrastructure'],
    features: 'PROVISIONING SEARCH GROUP_PROVISION SYNC_PROVISIONING DIRECT_PERMISSIONS',
    shortDesc: 'IAM users, groups, roles and policies across AWS accounts.',
    platform: 'cloud',
    locales: ['de'],
  },
  {
    name: 'Google Cloud Platform',
    type: 'Google Cloud Platform',
    className: 'sailpoint.connector.GCPConnector',
    kind: 'rest',
    category: 'cloud-infrastructure',
    labels: ['cloud', 'cloud-infrastructure'],
    features: 'PROVISIONING SEARCH DIRECT_PERMISSIONS',
    shortDesc: 'Members and IAM role bindings of GCP projects and folders.',
    platform: 'cloud',
  },
  {
    name: 'GitHub',
    type: 'GitHub',
    className: 'sailpoint.connector.GitHubConnector',
    kind: 'rest',
    category: 'development',
    labels: ['cloud', 'saas'],
    features: `${SAAS_FEATURES} DELETE`,
    shortDesc: 'Organisation members, teams and repository permissions on GitHub.',
    platform: 'saas',
  },
  {
    name: 'Atlassian Cloud',
    type: 'Atlassian Suite - Cloud',
    className: 'sailpoint.connector.AtlassianCloudConnector',
    kind: 'rest',
    category: 'development',
    labels: ['cloud', 'saas'],
    features: SAAS_FEATURES,
    shortDesc: 'Users and groups of Jira and Confluence Cloud sites.',
    platform: 'saas',
  },
  {
    name: 'Slack',
    type: 'Slack',
    className: 'sailpoint.connector.SlackConnector',
    kind: 'scim',
    category: 'collaboration',
    labels: ['cloud', 'saas'],
    features: `${SAAS_FEATURES} DELETE`,
    shortDesc: 'Workspace members and user groups in Slack.',
    platform: 'saas',
    locales: ['ja'],
  },
  {
    name: 'Zoom',
    type: 'Zoom',
    className: 'sailpoint.connector.ZoomConnector',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud', 'saas'],
    features: 'PROVISIONING ENABLE SEARCH SYNC_PROVISIONING',
    shortDesc: 'Zoom users, licence types and roles.',
    platform: 'saas',
  },
  {
    name: 'Box',
    type: 'Box',
    className: 'sailpoint.connector.BoxConnector',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud', 'saas'],
    features: `${SAAS_FEATURES} DELETE`,
    shortDesc: 'Box users, groups and collaborations.',
    platform: 'saas',
  },
  {
    name: 'Dropbox',
    type: 'Dropbox',
    className: 'sailpoint.connector.DropboxConnector',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud', 'saas'],
    features: SAAS_FEATURES,
    shortDesc: 'Team members and groups of Dropbox Business.',
    platform: 'saas',
  },
  {
    name: 'Microsoft SharePoint Online',
    type: 'SharePoint Online',
    className: 'sailpoint.connector.SharePointOnlineConnector',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud', 'microsoft'],
    features: 'SEARCH GROUP_PROVISION UNSTRUCTURED_TARGETS',
    shortDesc: 'Site collections, groups and permissions in SharePoint Online.',
    locales: ['de'],
  },
  {
    name: 'Microsoft Dynamics 365',
    type: 'Dynamics 365 Finance and Operations',
    className: 'sailpoint.connector.Dynamics365FOConnector',
    kind: 'rest',
    category: 'erp',
    labels: ['cloud', 'microsoft'],
    features: `${SAAS_FEATURES} DELETE`,
    shortDesc: 'Users and security roles of Dynamics 365 Finance and Operations.',
  },
  {
    name: 'Oracle E-Business Suite',
    type: 'Oracle E-Business Suite',
    className: 'sailpoint.connector.OracleEBSConnector',
    kind: 'jdbc',
    category: 'erp',
    labels: ['on-premises', 'oracle'],
    features: `${DB_FEATURES} GROUP_PROVISION`,
    shortDesc: 'Users and responsibilities of Oracle EBS.',
    uploadedFiles: ['ojdbc11.jar'],
  },
  {
    name: 'PeopleSoft HCM',
    type: 'PeopleSoft HCM Database',
    className: 'sailpoint.connector.PeopleSoftHRMSConnector',
    kind: 'jdbc',
    category: 'hr',
    labels: ['on-premises', 'oracle', 'authoritative'],
    features: HR_FEATURES,
    shortDesc: 'Workers read directly from the PeopleSoft HCM database.',
    uploadedFiles: ['ojdbc11.jar'],
  },
  {
    name: 'Oracle Database',
    type: 'Oracle Database',
    className: 'sailpoint.connector.OracleDBConnector',
    kind: 'jdbc',
    category: 'database',
    labels: ['on-premises', 'oracle', 'vault'],
    features: DB_FEATURES,
    shortDesc: 'Database users, roles and system privileges of Oracle Database.',
    uploadedFiles: ['ojdbc11.jar'],
  },
  {
    name: 'Microsoft SQL Server',
    type: 'Microsoft SQL Server',
    className: 'sailpoint.connector.MSSQLServerConnector',
    kind: 'jdbc',
    category: 'database',
    labels: ['on-premises', 'microsoft', 'vault'],
    features: `${DB_FEATURES} AUTHENTICATE`,
    shortDesc: 'Logins, database users and roles of SQL Server instances.',
  },
  {
    name: 'Linux',
    type: 'Linux - Direct',
    className: 'sailpoint.connector.LinuxConnector',
    scriptName: 'linux-direct-angularsc',
    kind: 'unix',
    category: 'infrastructure',
    labels: ['on-premises', 'vault'],
    features: 'PROVISIONING PASSWORD ENABLE UNLOCK SEARCH GROUP_PROVISION',
    shortDesc: 'Local users and groups of Linux hosts over SSH.',
  },
  {
    name: 'Windows Local',
    type: 'Windows Local - Direct',
    className: 'sailpoint.connector.WindowsLocalConnector',
    scriptName: 'windows-local-direct-angularsc',
    kind: 'unix',
    category: 'infrastructure',
    labels: ['on-premises', 'microsoft'],
    features: 'PROVISIONING PASSWORD ENABLE SEARCH GROUP_PROVISION',
    shortDesc: 'Local users and groups of Windows servers.',
  },
  {
    name: 'DocuSign',
    type: 'DocuSign',
    className: 'sailpoint.connector.DocuSignConnector',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud', 'saas'],
    features: 'PROVISIONING ENABLE SEARCH',
    shortDesc: 'DocuSign eSignature users and permission profiles.',
    platform: 'saas',
  },
  {
    name: 'Zendesk',
    type: 'Zendesk',
    className: 'sailpoint.connector.ZendeskConnector',
    kind: 'rest',
    category: 'itsm',
    labels: ['cloud', 'saas'],
    features: `${SAAS_FEATURES} DELETE`,
    shortDesc: 'Agents, groups and custom roles in Zendesk Support.',
    platform: 'saas',
  },
  {
    name: 'Adobe Admin Console',
    type: 'Adobe Admin Console',
    className: 'sailpoint.connector.AdobeAdminConsoleConnector',
    kind: 'rest',
    category: 'collaboration',
    labels: ['cloud', 'saas'],
    features: 'PROVISIONING SEARCH GROUP_PROVISION',
    shortDesc: 'Adobe users and product profiles.',
    platform: 'saas',
  },
  {
    name: 'UKG Pro',
    type: 'UKG Pro',
    className: 'sailpoint.connector.UKGProConnector',
    kind: 'rest',
    category: 'hr',
    labels: ['cloud', 'authoritative'],
    features: HR_FEATURES,
    shortDesc: 'Employees from UKG Pro as an authoritative source.',
  },
  {
    name: 'BambooHR',
    type: 'BambooHR',
    className: 'sailpoint.connector.BambooHRConnector',
    kind: 'rest',
    category: 'hr',
    labels: ['cloud', 'authoritative'],
    features: HR_FEATURES,
    shortDesc: 'Employees from BambooHR, for demonstrations.',
    status: 'DEMO',
    platform: 'saas',
  },
  {
    name: 'Snowflake',
    type: 'Snowflake',
    className: 'sailpoint.connector.SnowflakeConnector',
    kind: 'jdbc',
    category: 'database',
    labels: ['cloud'],
    features: 'PROVISIONING ENABLE SEARCH GROUP_PROVISION',
    shortDesc: 'Users and roles of a Snowflake account (preview).',
    status: 'BETA',
    platform: 'cloud',
  },
  {
    name: 'IBM Lotus Domino',
    type: 'IBM Lotus Domino',
    className: 'sailpoint.connector.DominoConnector',
    kind: 'ldap',
    category: 'collaboration',
    labels: ['on-premises'],
    features: 'PROVISIONING PASSWORD SEARCH',
    shortDesc: 'Users and groups of Domino directories; kept for existing sources only.',
    status: 'DEPRECATED',
  },
  // Custom connectors (tenant-specific, built with the SaaS connectivity framework).
  {
    name: 'Legacy "HR" \\ Payroll #1 & 100%',
    type: 'Legacy HR Payroll',
    className: 'sailpoint.connector.OpenConnectorAdapter',
    scriptName: 'legacy-hr-payroll-1-100-q7m2xk',
    kind: 'file',
    category: 'custom',
    labels: ['custom', 'authoritative'],
    features: 'NO_RANDOM_ACCESS',
    shortDesc: 'Payroll extract from the old HR system; the name is awkward on purpose.',
    status: 'DEVELOPMENT',
    platform: 'saas',
    sourceConfigFrom: 'upload',
  },
  {
    name: 'Acme Badge System',
    type: 'Acme Badge System',
    className: 'sailpoint.connector.OpenConnectorAdapter',
    scriptName: 'acme-badge-system-h4d9pz',
    kind: 'rest',
    category: 'custom',
    labels: ['custom'],
    features: null,
    shortDesc: 'Door badges from the facilities team; still being built.',
    status: 'DEVELOPMENT',
    platform: 'saas',
    uploadedFiles: null,
    sourceConfigFrom: null,
    withSourceConfig: false,
  },
  {
    name: 'Demo Travel Desk',
    type: 'Demo Travel Desk',
    className: 'sailpoint.connector.OpenConnectorAdapter',
    scriptName: 'demo-travel-desk-w2c8rt',
    kind: 'scim',
    category: 'custom',
    labels: ['custom', 'saas'],
    features: 'PROVISIONING ENABLE SEARCH',
    shortDesc: 'A small travel booking tool used in product demonstrations.',
    status: 'DEMO',
    platform: 'saas',
    directConnect: false,
    sourceConfigFrom: 'upload',
  },
];

export const CONNECTOR_SEED: readonly ConnectorRecord[] = ROWS.map(buildRecord);
