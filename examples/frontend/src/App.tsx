import { useCallback, useEffect, useState } from 'react';
import { Provider } from 'urql';
import { createGatewayClient } from './client.js';
import { ConnectorsPanel } from './Connectors.js';
import { CustomizerPanel } from './Customizer.js';
import { MyAppsPanel } from './MyApps.js';
import { OAuthClientPanel } from './OAuthClient.js';
import { readSession, signOut, SIGN_IN_URL, type Session } from './session.js';
import { SourceAppsPanel } from './SourceApps.js';

type SessionState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'signed-out'; ended: boolean }
  | { status: 'signed-in'; session: Extract<Session, { signedIn: true }> };

const VIEWS = [
  { id: 'connectors', label: 'Connectors', Panel: ConnectorsPanel },
  { id: 'source-apps', label: 'Source apps', Panel: SourceAppsPanel },
  { id: 'my-apps', label: 'My apps', Panel: MyAppsPanel },
  { id: 'oauth-clients', label: 'New OAuth client', Panel: OAuthClientPanel },
  { id: 'customizers', label: 'New connector customizer', Panel: CustomizerPanel },
] as const;
type ViewId = (typeof VIEWS)[number]['id'];

/** The view named by the URL's fragment (`#/source-apps`); a view is mounted only while shown. */
function useView(): ViewId {
  const read = (): ViewId => VIEWS.find((v) => `#/${v.id}` === window.location.hash)?.id ?? 'connectors';
  const [view, setView] = useState(read);
  useEffect(() => {
    const onChange = (): void => setView(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return view;
}

export function App() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [signOutError, setSignOutError] = useState<string>();

  const refresh = useCallback(async (ended = false) => {
    try {
      const session = await readSession();
      setState(session.signedIn ? { status: 'signed-in', session } : { status: 'signed-out', ended });
    } catch (error) {
      setState({ status: 'error', message: (error as Error).message });
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  const onSignOut = async (): Promise<void> => {
    setSignOutError(undefined);
    try {
      await signOut();
      setState({ status: 'signed-out', ended: false });
    } catch (error) {
      setSignOutError((error as Error).message);
    }
  };

  return (
    <>
      <header>
        <h1>ISC gateway example</h1>
        <div className="session">
          {state.status === 'loading' && <span data-testid="session-loading">Checking your session…</span>}
          {state.status === 'signed-in' && (
            <>
              <span>
                Signed in as <strong data-testid="user-name">{state.session.user.name}</strong>
              </span>
              <span className="muted" data-testid="session-expires" title={state.session.expiresAt}>
                until {new Date(state.session.expiresAt).toLocaleTimeString()}
              </span>
              <button type="button" data-testid="signout-button" onClick={() => void onSignOut()}>
                Sign out
              </button>
              {signOutError && (
                <span className="error-inline" data-testid="signout-error">
                  {signOutError}
                </span>
              )}
            </>
          )}
          {(state.status === 'signed-out' || state.status === 'error') && (
            <a className="button" href={SIGN_IN_URL} data-testid="signin-link">
              Sign in
            </a>
          )}
        </div>
      </header>
      <main>
        {state.status === 'error' && (
          <p className="error" role="alert" data-testid="session-error">
            Cannot read your session: {state.message}
          </p>
        )}
        {state.status === 'signed-out' && (
          <p data-testid="signed-out">
            {state.ended ? 'Your session has ended. ' : ''}Sign in with your ISC account to use the connectors, source apps and OAuth clients of the
            tenant, and your own apps.
          </p>
        )}
        {state.status === 'signed-in' && <SignedIn key={state.session.user.id} onUnauthenticated={() => void refresh(true)} />}
      </main>
    </>
  );
}

/** The app for one signed-in user, with a GraphQL client (and cache) of its own. */
function SignedIn({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  // Created once per user: signing out unmounts it, and its cache goes with it.
  const [client] = useState(() => createGatewayClient({ onUnauthenticated }));
  const view = useView();
  const { Panel } = VIEWS.find((v) => v.id === view)!;
  return (
    <Provider value={client}>
      <nav>
        {VIEWS.map((v) => (
          <a key={v.id} href={`#/${v.id}`} data-testid={`nav-${v.id}`} aria-current={v.id === view ? 'page' : undefined}>
            {v.label}
          </a>
        ))}
      </nav>
      <Panel />
    </Provider>
  );
}
