// The console's frame: log in, the navigation, the page the hash names, the
// language, logging out; the session ends at its expiry or at the first 401.
import { useEffect, useMemo, useState } from 'react';
import { createClient, type Session } from '../api/client.js';
import { LANGUAGES, LANGUAGE_NAMES, loadLanguage, saveLanguage, translator, type Language } from '../i18n/index.js';
import { PAGES } from '../pages/index.js';
import { Console, type ConsoleContext } from './context.js';
import { Login } from './Login.js';
import { href, match, useLocation } from './router.js';
import { loadSession, msUntilExpiry, saveSession } from './session.js';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [expired, setExpired] = useState(false);
  const [language, setLanguage] = useState<Language>(loadLanguage);
  const t = useMemo(() => translator(language), [language]);
  const location = useLocation();
  const end = (why: 'expired' | 'logout') => {
    saveSession(null);
    setSession(null);
    setExpired(why === 'expired');
  };
  const api = useMemo(() => createClient(() => session, () => end('expired')), [session]);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.title');
  }, [language, t]);
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => end('expired'), msUntilExpiry(session));
    return () => clearTimeout(timer);
  }, [session]);
  const languages = (
    <select aria-label={t('app.language')} data-testid="language" value={language} onChange={(e) => { const l = e.target.value as Language; saveLanguage(l); setLanguage(l); }}>
      {LANGUAGES.map((l) => (
        <option key={l} value={l}>
          {LANGUAGE_NAMES[l]}
        </option>
      ))}
    </select>
  );
  if (!session) {
    return (
      <>
        <div className="login-language">{languages}</div>
        <Login api={api} t={t} expired={expired} onLogin={(s) => { saveSession(s); setExpired(false); setSession(s); }} />
      </>
    );
  }
  const ctx: ConsoleContext = { api, session, t, canWrite: session.role === 'operator' };
  const visible = PAGES.filter((p) => !p.operatorOnly || ctx.canWrite);
  let page = <p>{t('app.notFound')}</p>;
  for (const p of visible) {
    const params = match(p.path, location.path);
    if (params) {
      page = p.render({ params, query: location.query });
      break;
    }
  }
  return (
    <Console.Provider value={ctx}>
      <header className="top no-print">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('app.navigation')}>
          {visible
            .filter((p) => p.nav)
            .map((p) => (
              <a key={p.path} href={href(p.path)} aria-current={location.path === p.path || (p.path !== '/' && location.path.startsWith(`${p.path}/`)) ? 'page' : undefined} data-testid={`nav-${p.path.slice(1) || 'today'}`}>
                {t(p.nav!)}
              </a>
            ))}
        </nav>
        <span className="user" data-testid="user">
          {session.username} · {t(`role.${session.role}`)}
        </span>
        {languages}
        <button
          type="button"
          data-testid="logout"
          onClick={() => {
            void api.post('/logout').finally(() => end('logout'));
          }}
        >
          {t('app.logout')}
        </button>
      </header>
      <main className="page">{page}</main>
    </Console.Provider>
  );
}
