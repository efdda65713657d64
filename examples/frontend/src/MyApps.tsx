import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNotice } from './ErrorNotice.js';
import { graphql } from './gql/index.js';
import type { MyAppsQuery as MyAppsResult } from './gql/graphql.js';

/** Apps the list asks for: more than a person uses; beyond that the view says so. */
export const MAX_APPS = 100;

// The signed-in user's apps: one ISC call. sourceApp's id and name come with each user app, so
// naming the apps costs no source-app lookup.
const MyAppsQuery = graphql(`
  query MyApps($limit: Int!) {
    userApps(limit: $limit) {
      items {
        id
        hasMultipleAccounts
        sourceApp {
          id
          name
        }
        source {
          id
          name
        }
        account {
          id
          name
        }
      }
      hasMore
    }
  }
`);

// Asked only when an app is opened. The graph reaches a user app only through a list (ISC has no
// read of one user app), so this is two ISC calls: the list filtered by id, then its accounts.
const MyAppAccountsQuery = graphql(`
  query MyAppAccounts($id: ID!) {
    userApps(filter: { id: $id }, limit: 1) {
      items {
        id
        availableAccounts {
          items {
            id
            displayName
            nativeIdentity
          }
          totalCount
          hasMore
        }
      }
    }
  }
`);

// The answer is a UserApp: urql's document cache then reads every shown query holding a UserApp
// again (the list, the opened app's accounts), so the list shows the account now in use.
const ChooseUserAppAccountMutation = graphql(`
  mutation ChooseUserAppAccount($id: ID!, $accountId: ID!) {
    updateUserAppAccount(id: $id, accountId: $accountId) {
      id
      account {
        id
        name
      }
    }
  }
`);

type MyApp = MyAppsResult['userApps']['items'][number];

const appName = (app: MyApp): string => app.sourceApp?.name ?? app.sourceApp?.id ?? app.id;

export function MyAppsPanel() {
  const [open, setOpen] = useState<string>();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MyAppsQuery, variables: { limit: MAX_APPS } });
  const apps = data?.userApps;
  const opened = apps?.items.find((app) => app.id === open);
  return (
    <section data-testid="section-my-apps">
      <h2>My apps</h2>
      <div className="columns">
        <div>
          {fetching && !apps && <p data-testid="my-apps-loading">Loading…</p>}
          {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
          {apps && (
            <>
              <p className="muted" data-testid="my-apps-count">
                {apps.items.length === 0 ? 'You have no apps.' : `${apps.items.length} apps`}
                {apps.hasMore && ` (your first ${MAX_APPS}; ISC has more)`}
              </p>
              <ul className="list" data-testid="my-apps-list">
                {apps.items.map((app) => (
                  <li key={app.id} data-testid="my-app" data-id={app.id}>
                    <button type="button" className="link" data-testid="my-app-open" aria-pressed={open === app.id} onClick={() => setOpen(app.id)}>
                      <span data-testid="my-app-name">{appName(app)}</span>
                    </button>
                    <div className="muted">
                      Account <span data-testid="my-app-account">{app.account?.name ?? 'none chosen'}</span> on{' '}
                      <span data-testid="my-app-source">{app.source?.name ?? '—'}</span>
                    </div>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        {opened && <MyAppDetail key={opened.id} app={opened} onClose={() => setOpen(undefined)} />}
      </div>
    </section>
  );
}

function MyAppDetail({ app, onClose }: { app: MyApp; onClose: () => void }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MyAppAccountsQuery, variables: { id: app.id } });
  const [choice, choose] = useMutation(ChooseUserAppAccountMutation);
  const [chosen, setChosen] = useState<string>();
  const accounts = data?.userApps.items[0]?.availableAccounts;

  const run = (accountId: string): void => {
    setChosen(accountId);
    void choose({ id: app.id, accountId });
  };

  return (
    <article className="card" data-testid="my-app-detail" data-id={app.id}>
      <button type="button" className="close" data-testid="my-app-detail-close" aria-label="Close" onClick={onClose}>
        ×
      </button>
      <h3 data-testid="my-app-detail-name">{appName(app)}</h3>
      <p>
        In use: <strong data-testid="my-app-detail-account">{app.account?.name ?? 'no account chosen'}</strong>
      </p>
      {fetching && !accounts && <p data-testid="my-app-accounts-loading">Loading the accounts…</p>}
      {error && <ErrorNotice error={error} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {data && !accounts && <p data-testid="my-app-missing">ISC no longer lists this app among yours.</p>}
      {accounts && (
        <>
          <p className="muted" data-testid="my-app-accounts-count">
            {accounts.totalCount === 1 ? 'One account' : `${accounts.totalCount} accounts`} you may use with this app
          </p>
          {accounts.hasMore && (
            <p className="warning" data-testid="my-app-accounts-more">
              Showing {accounts.items.length} of {accounts.totalCount}: ISC lists at most 250 accounts here.
            </p>
          )}
          <ul className="list" data-testid="my-app-accounts">
            {accounts.items.map(({ id, displayName, nativeIdentity }, i) => (
              <li key={id ?? i} data-testid="my-app-account-option" data-id={id}>
                <strong data-testid="my-app-account-name">{displayName ?? id}</strong> <code className="muted">{nativeIdentity}</code>{' '}
                {id && id === app.account?.id && (
                  <span className="badge" data-testid="my-app-account-in-use">
                    in use
                  </span>
                )}
                {id && id !== app.account?.id && (
                  <button type="button" className="chip" data-testid="my-app-account-choose" disabled={choice.fetching} onClick={() => run(id)}>
                    {choice.fetching && chosen === id ? 'Switching…' : 'Use this account'}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {choice.error && <ErrorNotice error={choice.error} onRetry={chosen === undefined ? undefined : () => run(chosen)} />}
      {choice.data && (
        <p data-testid="my-app-chosen">
          Now using <strong>{choice.data.updateUserAppAccount.account?.name ?? choice.data.updateUserAppAccount.account?.id}</strong>.
        </p>
      )}
    </article>
  );
}
