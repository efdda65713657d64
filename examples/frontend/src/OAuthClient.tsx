import { useEffect, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import type { CombinedError } from '@urql/core';
import { useClient } from 'urql';
import { ErrorNotice } from './ErrorNotice.js';
import { graphql } from './gql/index.js';
import type { CreateOAuthClientInput, CreateOAuthClientMutation } from './gql/graphql.js';

const CreateOAuthClientMutationDoc = graphql(`
  mutation CreateOAuthClient($input: CreateOAuthClientInput!) {
    createOAuthClient(input: $input) {
      id
      name
      secret
      grantTypes
      accessType
      enabled
      scope
      accessTokenValiditySeconds
    }
  }
`);

type Created = CreateOAuthClientMutation['createOAuthClient'];

/**
 * Creates an API client for machine-to-machine calls. ISC shows a client's secret once, in the
 * answer to its creation: this panel keeps it only in memory, until the user dismisses it, leaves
 * the view or the page (also when the page goes into the back/forward cache), and never stores it.
 * urql's cache keeps query results only, never a mutation's.
 */
export function OAuthClientPanel() {
  const client = useClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CombinedError>();
  const [created, setCreated] = useState<Created>();

  useEffect(() => {
    // flushSync: the secret leaves the DOM before the page is frozen in the back/forward cache.
    const forget = (): void => flushSync(() => setCreated(undefined));
    window.addEventListener('pagehide', forget);
    return () => window.removeEventListener('pagehide', forget);
  }, []);

  const create = async (): Promise<void> => {
    const input: CreateOAuthClientInput = {
      name,
      description,
      grantTypes: ['CLIENT_CREDENTIALS'],
      accessType: 'OFFLINE',
      accessTokenValiditySeconds: 750,
      enabled: true,
    };
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    const result = await client.mutation(CreateOAuthClientMutationDoc, { input }).toPromise();
    setBusy(false);
    if (result.error) return setError(result.error);
    if (result.data) {
      setCreated(result.data.createOAuthClient);
      setName('');
      setDescription('');
    }
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void create();
  };

  return (
    <section data-testid="section-oauth-clients">
      <h2>New OAuth client</h2>
      <form onSubmit={submit}>
        <label>
          Name
          <input data-testid="oauth-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Description
          <input data-testid="oauth-description" value={description} onChange={(e) => setDescription(e.target.value)} required />
        </label>
        <p className="muted">Client credentials grant, offline access, tokens valid 750 s, all of your rights (ISC’s default scope).</p>
        <button type="submit" data-testid="oauth-create" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </form>
      {error && <ErrorNotice error={error} onRetry={() => void create()} />}
      {created && (
        <div className="card secret" data-testid="oauth-created">
          <h3>{created.name}</h3>
          <p>
            Client id: <code data-testid="oauth-client-id">{created.id}</code>
          </p>
          <p>
            Secret: <code data-testid="oauth-secret">{created.secret}</code>
          </p>
          <p className="warning" data-testid="oauth-secret-warning">
            Store the secret now: ISC shows it only this once. It is gone from this page when you leave it.
          </p>
          <button type="button" data-testid="oauth-secret-dismiss" onClick={() => setCreated(undefined)}>
            I have stored it
          </button>
        </div>
      )}
    </section>
  );
}
