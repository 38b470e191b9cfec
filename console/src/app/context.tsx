// What every page gets: the API client, the session (who, which role), the
// words in the chosen language, and whether write controls may be shown.
import { createContext, useContext } from 'react';
import type { ApiClient, Session } from '../api/client.js';
import type { Translate } from '../i18n/index.js';

export interface ConsoleContext {
  api: ApiClient;
  session: Session;
  t: Translate;
  /** Operators write; auditors read only: their pages have no write control at all (issue 14 "Roles"). */
  canWrite: boolean;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(Console);
  if (!value) throw new Error('useConsole outside the logged-in console');
  return value;
}
