import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { ErrorNotice } from './ErrorNotice.js';
import { getFragmentData, graphql, type FragmentType } from './gql/index.js';

/** Ids one lookup takes: a trusted document cannot grow aliases at run time, so it has this many slots. */
export const MAX_IDS = 5;

const SourceAppChoicesQuery = graphql(`
  query SourceAppChoices {
    sourceApps(limit: 8, sort: [{ field: NAME }]) {
      items {
        id
        name
      }
    }
  }
`);

const SourceAppCardFragment = graphql(`
  fragment SourceAppCard on SourceApp {
    id
    name
    description
    enabled
    owner {
      name
    }
    accountSource {
      name
    }
  }
`);

// Every `sourceApp(id:)` of one operation becomes one ISC call at the gateway (`GET /source-apps/all`
// with `id in (…)`): the ids go in one request, as aliases. Unused slots are skipped (@include).
const SourceAppsByIdQuery = graphql(`
  query SourceAppsById(
    $id0: ID!
    $id1: ID!
    $id2: ID!
    $id3: ID!
    $id4: ID!
    $with1: Boolean!
    $with2: Boolean!
    $with3: Boolean!
    $with4: Boolean!
  ) {
    app0: sourceApp(id: $id0) {
      ...SourceAppCard
    }
    app1: sourceApp(id: $id1) @include(if: $with1) {
      ...SourceAppCard
    }
    app2: sourceApp(id: $id2) @include(if: $with2) {
      ...SourceAppCard
    }
    app3: sourceApp(id: $id3) @include(if: $with3) {
      ...SourceAppCard
    }
    app4: sourceApp(id: $id4) @include(if: $with4) {
      ...SourceAppCard
    }
  }
`);

const ALIASES = ['app0', 'app1', 'app2', 'app3', 'app4'] as const;

/** The ids typed in the field: separated by commas or spaces, each once. */
export function parseIds(input: string): string[] {
  return [...new Set(input.split(/[\s,]+/).filter((id) => id !== ''))];
}

/** Variables for up to MAX_IDS ids (at least one). */
function lookupVariables(ids: string[]) {
  const id = (i: number): string => ids[i] ?? '';
  return {
    id0: id(0),
    id1: id(1),
    id2: id(2),
    id3: id(3),
    id4: id(4),
    with1: ids.length > 1,
    with2: ids.length > 2,
    with3: ids.length > 3,
    with4: ids.length > 4,
  };
}

export function SourceAppsPanel() {
  const [input, setInput] = useState('');
  const [ids, setIds] = useState<string[]>([]);
  const [problem, setProblem] = useState<string>();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = parseIds(input);
    if (parsed.length === 0) return setProblem('Type or choose at least one id.');
    if (parsed.length > MAX_IDS) return setProblem(`At most ${MAX_IDS} ids at a time.`);
    setProblem(undefined);
    setIds(parsed);
  };
  const choose = (id: string): void => {
    const current = parseIds(input);
    setInput((current.includes(id) ? current.filter((c) => c !== id) : [...current, id]).join(', '));
  };

  return (
    <section data-testid="section-source-apps">
      <h2>Source apps by id</h2>
      <form onSubmit={submit}>
        <label>
          Ids (up to {MAX_IDS}, separated by commas)
          <input
            className="wide"
            data-testid="source-app-ids"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            placeholder="an id, another id, …"
            spellCheck={false}
          />
        </label>
        <button type="submit" data-testid="source-app-lookup">
          Look up
        </button>
      </form>
      {problem && (
        <p className="error-inline" data-testid="source-app-ids-problem">
          {problem}
        </p>
      )}
      <SourceAppChoices selected={parseIds(input)} onChoose={choose} />
      {ids.length > 0 && <SourceAppResults ids={ids} />}
    </section>
  );
}

function SourceAppChoices({ selected, onChoose }: { selected: string[]; onChoose: (id: string) => void }) {
  const [{ data, error }, reexecute] = useQuery({ query: SourceAppChoicesQuery });
  return (
    <div className="choices" data-testid="source-app-choices">
      <span className="muted">Or choose: </span>
      {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {data?.sourceApps.items.map((app) => (
        <button
          key={app.id}
          type="button"
          className="chip"
          data-testid="source-app-choice"
          data-id={app.id}
          aria-pressed={selected.includes(app.id)}
          onClick={() => onChoose(app.id)}
        >
          {app.name ?? app.id}
        </button>
      ))}
    </div>
  );
}

function SourceAppResults({ ids }: { ids: string[] }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SourceAppsByIdQuery, variables: lookupVariables(ids) });
  return (
    <div data-testid="source-app-results">
      {fetching && <p data-testid="source-app-loading">Looking up {ids.length} source apps in one request…</p>}
      {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {data &&
        ids.map((id, i) => {
          const app = data[ALIASES[i]];
          const failed = error?.graphQLErrors.some((e) => e.path?.[0] === ALIASES[i]);
          if (app) return <SourceAppCard key={id} app={app} />;
          return (
            <p key={id} className="muted" data-testid="source-app-missing" data-id={id}>
              {failed ? `No answer for ${id} (see the error above).` : `No source app has the id ${id}.`}
            </p>
          );
        })}
    </div>
  );
}

function SourceAppCard(props: { app: FragmentType<typeof SourceAppCardFragment> }) {
  const app = getFragmentData(SourceAppCardFragment, props.app);
  return (
    <article className="card" data-testid="source-app-result" data-id={app.id}>
      <h3 data-testid="source-app-name">{app.name ?? app.id}</h3>
      <p>{app.description}</p>
      <dl>
        <dt>Id</dt>
        <dd>
          <code>{app.id}</code>
        </dd>
        <dt>Enabled</dt>
        <dd>{app.enabled ? 'yes' : 'no'}</dd>
        <dt>Owner</dt>
        <dd>{app.owner?.name ?? '—'}</dd>
        <dt>Account source</dt>
        <dd>{app.accountSource?.name ?? '—'}</dd>
      </dl>
    </article>
  );
}
