// Logging in (POST /api/v1/login): the server's limits on guessing apply
// (429 with a wait); the answer is the session this tab keeps.
import { useState } from 'react';
import { ApiFailure, type ApiClient, type Session } from '../api/client.js';
import type { Translate } from '../i18n/index.js';

export function Login({ api, t, onLogin, expired }: { api: ApiClient; t: Translate; onLogin: (s: Session) => void; expired: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <main className="login">
      <h1>{t('app.title')}</h1>
      {expired ? (
        <p role="status" data-testid="session-expired">
          {t('login.expired')}
        </p>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          api.post<Session>('/login', { username, password }).then(onLogin, (err: unknown) => {
            setBusy(false);
            setError(err instanceof ApiFailure && err.status === 429 ? t('login.throttled') : err instanceof ApiFailure && err.status === 401 ? t('login.wrong') : t('error.failed'));
          });
        }}
      >
        <label>
          {t('login.username')}
          <input name="username" autoComplete="username" data-testid="login-username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" data-testid="login-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="login-go">
          {t('login.go')}
        </button>
        {error ? (
          <p role="alert" className="error" data-testid="login-error">
            {error}
          </p>
        ) : null}
      </form>
    </main>
  );
}
