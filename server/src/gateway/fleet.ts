// The fleet as the gateway knows it (issue 11 section 6): each terminal's
// site, connection, software version, devices, outbox depth, alarms and last
// error, and the outbox halts an operator has to settle (section 3). Kept in
// the database, so every gateway process of a province sees the same fleet,
// and the office API serves it (GET /api/v1/terminals).
import { cachedStatement } from '../db.js';
import type { SqlDatabase } from '../sql/types.js';
import type { Alarm, DeviceStatus, EventOutcome, MoneyEventKind, OfflineLimits, RecentError, Resources, StaffAction, TerminalStatus } from '@nongbao/protocol';
import { DEFAULT_OFFLINE_LIMITS, ERROR_REGISTER, STATUS_REPORT_INTERVAL_MS } from '@nongbao/protocol';
import type { ReconciliationAlarmKind } from '../collections/types.js';

/** A terminal not heard from for this long is shown offline, whatever its last gateway recorded. */
export const ONLINE_GRACE_MS = 3 * STATUS_REPORT_INTERVAL_MS;
/** Terminals listed per page of the fleet view. */
export const FLEET_PAGE_LIMIT = 500;

export interface FleetTerminal {
  terminalId: string;
  villageCode: string | null;
  location: string | null;
  enrolled: boolean;
  revoked: boolean;
  online: boolean;
  lastSeen: string | null;
  softwareVersion: string | null;
  devices: DeviceStatus[];
  outboxPending: number | null;
  outboxHalted: boolean;
  alarms: Alarm[];
  lastError: string | null;
  /** The terminal's clock minus the server's at its last status report, ms. */
  clockDriftMs: number | null;
  /** Disk, journal, outbox, clock, link, version and the problems that hold, as its last report said (issue 13 section 1); null before one. */
  resources: Resources | null;
  /** Its recent errors, newest first, each with the error register's name, words key and suggested action. */
  recentErrors: FleetRecentError[];
  offlineLimits: OfflineLimits;
  /** Outbox entries it stopped at that an operator has not settled. */
  openHalts: OutboxHalt[];
  /** Cash-box differences the reconciliation could not explain, not yet resolved (issue 13 section 2). */
  reconciliationAlarms: ReconciliationAlarm[];
}

/** A kiosk's recent error with what the error register (protocol errors.ts) says of its code. */
export interface FleetRecentError extends RecentError {
  name: string;
  messageKey: string;
  action: StaffAction;
  retryable: boolean;
}

/** What a status report leaves in `terminal.status_json`. */
interface StoredStatus {
  devices: DeviceStatus[];
  outbox: { pending: number; halted: boolean };
  alarms: Alarm[];
  clockDriftMs: number;
  resources?: Resources;
  recentErrors?: RecentError[];
}

/** A code the register does not know (a newer kiosk's) is kept, named by its number, with no action. */
function withRegister(e: RecentError): FleetRecentError {
  const entry = ERROR_REGISTER.get(e.code);
  return { ...e, name: entry?.name ?? String(e.code), messageKey: entry?.messageKey ?? `unknown.${e.code}`, action: entry?.action ?? 'none', retryable: entry?.retryable ?? false };
}

export interface ReconciliationAlarm {
  id: number;
  terminalId: string;
  collectionId: string;
  kind: ReconciliationAlarmKind;
  /** The denomination a count difference is in; 0 for the others. */
  denominationFen: number;
  amountFen: number;
  detail: string;
  raisedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
}

interface AlarmRow {
  id: number;
  terminal_id: string;
  collection_id: string;
  kind: ReconciliationAlarmKind;
  denomination_fen: number;
  amount_fen: number;
  detail: string;
  raised_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  note: string | null;
}

function toAlarm(r: AlarmRow): ReconciliationAlarm {
  return {
    id: r.id,
    terminalId: r.terminal_id,
    collectionId: r.collection_id,
    kind: r.kind,
    denominationFen: r.denomination_fen,
    amountFen: r.amount_fen,
    detail: r.detail,
    raisedAt: r.raised_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    note: r.note,
  };
}

/** Open reconciliation alarms listed per terminal at most (the oldest first). */
export const RECONCILIATION_ALARMS_LIMIT = 200;

export interface OutboxHalt {
  terminalId: string;
  eventId: string;
  kind: MoneyEventKind;
  outcome: EventOutcome;
  haltedAt: string;
  settledAt: string | null;
  settledBy: string | null;
  note: string | null;
}

interface TerminalRow {
  id: string | null;
  site_id: string | null;
  revoked_at: string | null;
  last_contact_ms: number | null;
  software_version: string | null;
  status_json: string | null;
  status_at_ms: number | null;
  connected_since_ms: number | null;
  last_error: string | null;
  village_code: string | null;
  location: string | null;
  offline_amount_fen: number | null;
  offline_payments: number | null;
}

interface HaltRow {
  terminal_id: string;
  event_id: string;
  kind: MoneyEventKind;
  outcome_json: string;
  halted_at: string;
  settled_at: string | null;
  settled_by: string | null;
  note: string | null;
}

function toHalt(r: HaltRow): OutboxHalt {
  return {
    terminalId: r.terminal_id,
    eventId: r.event_id,
    kind: r.kind,
    outcome: JSON.parse(r.outcome_json) as EventOutcome,
    haltedAt: r.halted_at,
    settledAt: r.settled_at,
    settledBy: r.settled_by,
    note: r.note,
  };
}

export class Fleet {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `connectedSinceMs` is the connection's own start, the value its end hands
   * to `disconnected`: the fleet's clock at the commit differs from it, and the
   * row would stay "connected" after the connection ended.
   */
  connected(terminalId: string, softwareVersion: string | null, connectedSinceMs: number): void {
    const nowMs = this.now();
    cachedStatement(this.db, 'UPDATE terminal SET connected_since_ms = ?, last_contact_ms = MAX(COALESCE(last_contact_ms, 0), ?), software_version = COALESCE(?, software_version) WHERE id = ?').run(connectedSinceMs, nowMs, softwareVersion, terminalId);
  }

  disconnected(terminalId: string, connectedSinceMs: number): void {
    // Only the connection that set it clears it: a newer one may have replaced it.
    cachedStatement(this.db, 'UPDATE terminal SET connected_since_ms = NULL WHERE id = ? AND connected_since_ms = ?').run(terminalId, connectedSinceMs);
  }

  /** A status report: devices, outbox, alarms, clock. Returns the server's time for the terminal's drift. */
  recordStatus(terminalId: string, status: TerminalStatus): void {
    const nowMs = this.now();
    const stored: StoredStatus = {
      devices: status.devices,
      outbox: status.outbox,
      alarms: status.alarms,
      clockDriftMs: Date.parse(status.sentAt) - nowMs,
      ...(status.resources ? { resources: status.resources } : {}),
      ...(status.recentErrors ? { recentErrors: status.recentErrors } : {}),
    };
    cachedStatement(
      this.db,
      `UPDATE terminal SET status_json = ?, status_at_ms = ?, software_version = ?, last_error = ?,
         last_contact_ms = MAX(COALESCE(last_contact_ms, 0), ?) WHERE id = ?`,
    ).run(JSON.stringify(stored), nowMs, status.softwareVersion, status.lastError, nowMs, terminalId);
  }

  /** Records the entry a terminal's outbox stopped at (in the batch's transaction); repeated halts are one. */
  recordHalt(terminalId: string, kind: MoneyEventKind, outcome: EventOutcome): void {
    this.db
      .prepare(
        `INSERT INTO terminal_outbox_halt (terminal_id, event_id, kind, outcome_json, halted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (terminal_id, event_id) DO NOTHING`,
      )
      .run(terminalId, outcome.id, kind, JSON.stringify(outcome), new Date(this.now()).toISOString());
  }

  /** An operator settles a halt: the terminal's outbox goes on past it (the gateway tells the terminal). */
  settleHalt(terminalId: string, eventId: string, settledBy: string, note: string): OutboxHalt | undefined {
    this.db
      .prepare('UPDATE terminal_outbox_halt SET settled_at = ?, settled_by = ?, note = ? WHERE terminal_id = ? AND event_id = ? AND settled_at IS NULL')
      .run(new Date(this.now()).toISOString(), settledBy, note, terminalId, eventId);
    return this.halt(terminalId, eventId);
  }

  halt(terminalId: string, eventId: string): OutboxHalt | undefined {
    const row = this.db.prepare('SELECT * FROM terminal_outbox_halt WHERE terminal_id = ? AND event_id = ?').get(terminalId, eventId) as HaltRow | undefined;
    return row ? toHalt(row) : undefined;
  }

  /** Settled halts of a terminal (told again at every connection: the terminal ignores what it has done). */
  settledHalts(terminalId: string): OutboxHalt[] {
    return (this.db.prepare('SELECT * FROM terminal_outbox_halt WHERE terminal_id = ? AND settled_at IS NOT NULL ORDER BY settled_at DESC LIMIT 100').all(terminalId) as HaltRow[]).map(toHalt);
  }

  openHalts(terminalId?: string): OutboxHalt[] {
    const rows = (
      terminalId === undefined
        ? this.db.prepare('SELECT * FROM terminal_outbox_halt WHERE settled_at IS NULL ORDER BY halted_at LIMIT 1000').all()
        : this.db.prepare('SELECT * FROM terminal_outbox_halt WHERE terminal_id = ? AND settled_at IS NULL ORDER BY halted_at').all(terminalId)
    ) as HaltRow[];
    return rows.map(toHalt);
  }

  /** Raises an alarm for a difference the reconciliation cannot explain; the same one again is one alarm. */
  raiseReconciliationAlarm(a: { terminalId: string; collectionId: string; kind: ReconciliationAlarmKind; denominationFen?: number; amountFen: number; detail: string }): void {
    this.db
      .prepare(
        `INSERT INTO terminal_reconciliation_alarm (terminal_id, collection_id, kind, denomination_fen, amount_fen, detail, raised_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (collection_id, kind, denomination_fen) DO NOTHING`,
      )
      .run(a.terminalId, a.collectionId, a.kind, a.denominationFen ?? 0, a.amountFen, a.detail.slice(0, 500), new Date(this.now()).toISOString());
  }

  /** An operator says what was done about it; false when there is no such open alarm. */
  resolveReconciliationAlarm(terminalId: string, id: number, resolvedBy: string, note: string): boolean {
    return (
      this.db
        .prepare('UPDATE terminal_reconciliation_alarm SET resolved_at = ?, resolved_by = ?, note = ? WHERE id = ? AND terminal_id = ? AND resolved_at IS NULL')
        .run(new Date(this.now()).toISOString(), resolvedBy, note, id, terminalId).changes === 1
    );
  }

  /** The alarms of one collection, open and resolved. */
  collectionAlarms(collectionId: string): ReconciliationAlarm[] {
    return (this.db.prepare('SELECT * FROM terminal_reconciliation_alarm WHERE collection_id = ? ORDER BY id').all(collectionId) as AlarmRow[]).map(toAlarm);
  }

  openReconciliationAlarms(terminalId: string): ReconciliationAlarm[] {
    return (
      this.db.prepare('SELECT * FROM terminal_reconciliation_alarm WHERE terminal_id = ? AND resolved_at IS NULL ORDER BY id LIMIT ?').all(terminalId, RECONCILIATION_ALARMS_LIMIT) as AlarmRow[]
    ).map(toAlarm);
  }

  setOfflineLimits(terminalId: string, limits: OfflineLimits): void {
    this.db
      .prepare(
        `INSERT INTO terminal_site (terminal_id, offline_amount_fen, offline_payments, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (terminal_id) DO UPDATE SET offline_amount_fen = excluded.offline_amount_fen,
           offline_payments = excluded.offline_payments, config_revision = terminal_site.config_revision + 1`,
      )
      .run(terminalId, limits.amountFen, limits.payments, new Date(this.now()).toISOString());
  }

  site(terminalId: string): { villageCode: string | null; location: string | null; offlineLimits: OfflineLimits; revision: number } {
    const row = this.db.prepare('SELECT * FROM terminal_site WHERE terminal_id = ?').get(terminalId) as
      | { village_code: string | null; location: string | null; offline_amount_fen: number | null; offline_payments: number | null; config_revision: number }
      | undefined;
    return {
      villageCode: row?.village_code ?? null,
      location: row?.location ?? null,
      offlineLimits: {
        amountFen: row?.offline_amount_fen ?? DEFAULT_OFFLINE_LIMITS.amountFen,
        payments: row?.offline_payments ?? DEFAULT_OFFLINE_LIMITS.payments,
      },
      revision: row?.config_revision ?? 0,
    };
  }

  /** Every terminal the county created or enrolled, with its state; `terminalId` for one. */
  list(options: { terminalId?: string; limit?: number } = {}): FleetTerminal[] {
    const rows = this.db
      .prepare(
        `SELECT t.id, s.terminal_id AS site_id, t.revoked_at, t.last_contact_ms, t.software_version, t.status_json, t.status_at_ms,
                t.connected_since_ms, t.last_error, s.village_code, s.location, s.offline_amount_fen, s.offline_payments
         FROM terminal t LEFT JOIN terminal_site s ON s.terminal_id = t.id
         WHERE @id IS NULL OR t.id = @id
         UNION ALL
         SELECT NULL, s.terminal_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.village_code, s.location, s.offline_amount_fen, s.offline_payments
         FROM terminal_site s WHERE NOT EXISTS (SELECT 1 FROM terminal t WHERE t.id = s.terminal_id) AND (@id IS NULL OR s.terminal_id = @id)
         ORDER BY 1, 2 LIMIT @limit`,
      )
      .all({ id: options.terminalId ?? null, limit: Math.min(options.limit ?? FLEET_PAGE_LIMIT, FLEET_PAGE_LIMIT) }) as TerminalRow[];
    const nowMs = this.now();
    return rows.map((r) => this.toFleetTerminal(r, nowMs));
  }

  private toFleetTerminal(r: TerminalRow, nowMs: number): FleetTerminal {
    const terminalId = (r.id ?? r.site_id)!;
    const status = r.status_json ? (JSON.parse(r.status_json) as StoredStatus) : null;
    const openHalts = this.openHalts(terminalId);
    return {
      terminalId,
      villageCode: r.village_code,
      location: r.location,
      enrolled: r.id !== null,
      revoked: r.revoked_at !== null,
      online: r.connected_since_ms !== null && r.last_contact_ms !== null && nowMs - r.last_contact_ms <= ONLINE_GRACE_MS && r.revoked_at === null,
      lastSeen: r.last_contact_ms !== null ? new Date(r.last_contact_ms).toISOString() : null,
      softwareVersion: r.software_version,
      devices: status?.devices ?? [],
      outboxPending: status?.outbox.pending ?? null,
      outboxHalted: (status?.outbox.halted ?? false) || openHalts.length > 0,
      alarms: status?.alarms ?? [],
      lastError: r.last_error,
      clockDriftMs: status?.clockDriftMs ?? null,
      resources: status?.resources ?? null,
      recentErrors: (status?.recentErrors ?? []).map(withRegister),
      offlineLimits: {
        amountFen: r.offline_amount_fen ?? DEFAULT_OFFLINE_LIMITS.amountFen,
        payments: r.offline_payments ?? DEFAULT_OFFLINE_LIMITS.payments,
      },
      openHalts,
      reconciliationAlarms: this.openReconciliationAlarms(terminalId),
    };
  }
}
