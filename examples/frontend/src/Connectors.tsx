import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNotice } from './ErrorNotice.js';
import { graphql } from './gql/index.js';

const PAGE_SIZE = 10;

// One page of the catalogue: only list fields, so the page costs ISC one call.
const ConnectorsPageQuery = graphql(`
  query ConnectorsPage($limit: Int!, $offset: Int!) {
    connectors(limit: $limit, offset: $offset) {
      items {
        scriptName
        name
        type
        status
      }
      hasMore
    }
  }
`);

// Detail fields come from the connector's own endpoint: asked only when a connector is opened.
const ConnectorDetailQuery = graphql(`
  query ConnectorDetail($scriptName: ID!) {
    connector(scriptName: $scriptName) {
      scriptName
      name
      type
      className
      status
      statusRaw
      directConnect
      features
      fileUpload
      uploadedFiles
    }
  }
`);

// Each file is one more ISC call: asked only when the user opens the files.
const ConnectorFilesQuery = graphql(`
  query ConnectorFiles($scriptName: ID!, $locale: String!) {
    connector(scriptName: $scriptName) {
      scriptName
      files {
        sourceConfig
        sourceTemplate
        correlationConfig
        translations(locale: $locale)
      }
    }
  }
`);

export function ConnectorsPanel() {
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string>();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ConnectorsPageQuery, variables: { limit: PAGE_SIZE, offset } });
  const page = data?.connectors;
  return (
    <section data-testid="section-connectors">
      <h2>Connectors</h2>
      <div className="columns">
        <div>
          {fetching && <p data-testid="connectors-loading">Loading…</p>}
          {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
          {page && (
            <>
              <p className="muted" data-testid="connectors-page">
                {page.items.length === 0 ? 'No connectors here' : `Connectors ${offset + 1}–${offset + page.items.length}`}
              </p>
              <ul className="list" data-testid="connectors-list">
                {page.items.map((c) => (
                  <li key={c.scriptName}>
                    <button
                      type="button"
                      className="link"
                      data-testid="connector-item"
                      data-script-name={c.scriptName}
                      aria-pressed={open === c.scriptName}
                      onClick={() => setOpen(c.scriptName)}
                    >
                      {c.name ?? c.scriptName}
                    </button>
                    <span className="muted"> {c.type}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="pager">
            <button
              type="button"
              data-testid="connectors-previous"
              disabled={offset === 0 || fetching}
              onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            >
              Previous
            </button>
            <button type="button" data-testid="connectors-next" disabled={!page?.hasMore || fetching} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Next
            </button>
          </div>
        </div>
        {open && <ConnectorDetail key={open} scriptName={open} onClose={() => setOpen(undefined)} />}
      </div>
    </section>
  );
}

function ConnectorDetail({ scriptName, onClose }: { scriptName: string; onClose: () => void }) {
  const [showFiles, setShowFiles] = useState(false);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ConnectorDetailQuery, variables: { scriptName } });
  const connector = data?.connector;
  return (
    <article className="card" data-testid="connector-detail">
      <button type="button" className="close" data-testid="connector-detail-close" aria-label="Close" onClick={onClose}>
        ×
      </button>
      {fetching && <p data-testid="connector-detail-loading">Loading…</p>}
      {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {data && !connector && <p data-testid="connector-missing">ISC has no connector {scriptName}.</p>}
      {connector && (
        <>
          <h3 data-testid="connector-detail-name">{connector.name ?? connector.scriptName}</h3>
          <dl>
            <dt>Script name</dt>
            <dd>
              <code>{connector.scriptName}</code>
            </dd>
            <dt>Type</dt>
            <dd>{connector.type ?? '—'}</dd>
            <dt>Class</dt>
            <dd>{connector.className ?? '—'}</dd>
            <dt>Status</dt>
            <dd data-testid="connector-detail-status">{connector.status === 'UNKNOWN' ? connector.statusRaw : (connector.status ?? '—')}</dd>
            <dt>Direct connect</dt>
            <dd>{connector.directConnect === null || connector.directConnect === undefined ? '—' : connector.directConnect ? 'yes' : 'no'}</dd>
            <dt>Features</dt>
            <dd>{connector.features?.join(', ') || '—'}</dd>
            <dt>Uploaded files</dt>
            <dd>{connector.uploadedFiles?.join(', ') || '—'}</dd>
          </dl>
          {showFiles ? (
            <ConnectorFiles scriptName={connector.scriptName} />
          ) : (
            <button type="button" data-testid="connector-files-open" onClick={() => setShowFiles(true)}>
              Show configuration files
            </button>
          )}
        </>
      )}
    </article>
  );
}

const FILES = [
  ['sourceConfig', 'Source configuration'],
  ['sourceTemplate', 'Source template'],
  ['correlationConfig', 'Correlation configuration'],
  ['translations', 'Translations (en)'],
] as const;

function ConnectorFiles({ scriptName }: { scriptName: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ConnectorFilesQuery, variables: { scriptName, locale: 'en' } });
  const files = data?.connector?.files;
  return (
    <div data-testid="connector-files">
      {fetching && <p data-testid="connector-files-loading">Loading the files…</p>}
      {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {files &&
        FILES.map(([key, label]) => (
          <details key={key} data-testid="connector-file" data-file={key} open={key === 'sourceConfig'}>
            <summary>{label}</summary>
            {files[key] ? <pre>{files[key]}</pre> : <p className="muted">None</p>}
          </details>
        ))}
    </div>
  );
}
