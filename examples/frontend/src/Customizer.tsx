import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ErrorNotice } from './ErrorNotice.js';
import { graphql } from './gql/index.js';

const CreateConnectorCustomizerMutation = graphql(`
  mutation CreateConnectorCustomizer($input: CreateConnectorCustomizerInput!) {
    createConnectorCustomizer(input: $input) {
      id
      name
      tenantID
      created
    }
  }
`);

/**
 * A write that needs ISC's `sp:connector:manage`: a user with read rights only gets ISC's 403,
 * shown with ISC's tracking id.
 */
export function CustomizerPanel() {
  const [name, setName] = useState('');
  const [sent, setSent] = useState<string>();
  const [{ data, fetching, error }, create] = useMutation(CreateConnectorCustomizerMutation);

  const run = (customizerName: string): void => {
    setSent(customizerName);
    void create({ input: { name: customizerName } });
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    run(name);
  };

  return (
    <section data-testid="section-customizers">
      <h2>New connector customizer</h2>
      <form onSubmit={submit}>
        <label>
          Name
          <input data-testid="customizer-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <button type="submit" data-testid="customizer-create" disabled={fetching}>
          {fetching ? 'Creating…' : 'Create'}
        </button>
      </form>
      {error && <ErrorNotice error={error} onRetry={sent === undefined ? undefined : () => run(sent)} />}
      {data && (
        <div className="card" data-testid="customizer-result">
          Created <strong>{data.createConnectorCustomizer.name}</strong> (<code data-testid="customizer-id">{data.createConnectorCustomizer.id}</code>
          )
        </div>
      )}
    </section>
  );
}
