// The console's pages: one module each, listed here with its path and its
// place in the navigation; the layout, the table, the client and the words
// are shared. The Kiosks page has three parts (KioskTabs): the fleet, the
// cash boxes, software updates.
import type { ReactElement } from 'react';
import type { MessageKey } from '../i18n/index.js';
import { AuditLogPage } from './AuditLog.js';
import { ImportPage } from './Import.js';
import { KiosksPage } from './Kiosks.js';
import { KioskCashPage } from './KioskCash.js';
import { RequestsPage } from './Requests.js';
import { RolloutsPage } from './Rollouts.js';
import { PublicityPage } from './Publicity.js';
import { ResidentPage } from './Resident.js';
import { ResidentsPage } from './Residents.js';
import { RunsPage } from './Runs.js';
import { TodayPage } from './Today.js';
import { VillagesPage } from './Villages.js';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface PageModule {
  /** Hash path, with `:name` parameters. */
  path: string;
  /** In the navigation, with this label; absent for pages reached from another. */
  nav?: MessageKey;
  /** Shown to operators only (a page that is all write controls). */
  operatorOnly?: boolean;
  render: (props: PageProps) => ReactElement;
}

export const PAGES: readonly PageModule[] = [
  { path: '/', nav: 'nav.today', render: () => <TodayPage /> },
  { path: '/residents', nav: 'nav.residents', render: () => <ResidentsPage /> },
  { path: '/residents/:citizenNumber', render: ({ params }) => <ResidentPage params={params} /> },
  { path: '/villages', nav: 'nav.villages', render: ({ query }) => <VillagesPage query={query} /> },
  { path: '/villages/:villageCode/publicity', render: ({ params, query }) => <PublicityPage params={params} query={query} /> },
  { path: '/import', nav: 'nav.import', operatorOnly: true, render: () => <ImportPage /> },
  { path: '/runs', nav: 'nav.runs', render: () => <RunsPage /> },
  { path: '/kiosks', nav: 'nav.kiosks', render: () => <KiosksPage /> },
  { path: '/kiosks/cash', render: () => <KioskCashPage /> },
  { path: '/kiosks/updates', render: () => <RolloutsPage /> },
  { path: '/requests', nav: 'nav.requests', render: ({ query }) => <RequestsPage query={query} /> },
  { path: '/audit', nav: 'nav.audit', render: () => <AuditLogPage /> },
];
