// The office API for the kiosk fleet (issue 11 sections 3-6): create a
// terminal with its village and location and get its one-time enrolment
// code, revoke one, set its offline cash limits, see the fleet as the
// gateways know it, settle an outbox halt, set a village's agent. Changes a
// connected kiosk must hear about go on the change bus; the gateway pushes them.
import { z } from 'zod';
import { STAFF_ACTIONS, alarmSchema, deviceStatusSchema, offlineLimitsSchema, recentErrorSchema, resourcesSchema, terminalIdSchema, uuidV7Schema } from '@nongbao/protocol';
import type { GatewayState } from '../app.js';
import { villageAgentInputSchema, villageCodeField, type Registry } from '../registry/index.js';
import { ApiError } from './errors.js';
import type { HandlerOutput, RouteSpec } from './routes.js';

const json = (status: number, body: unknown): HandlerOutput => ({ status, json: body });

export const createTerminalSchema = z.strictObject({
  terminalId: terminalIdSchema,
  villageCode: villageCodeField,
  location: z.string().trim().min(1).max(200),
});
export const settleHaltSchema = z.strictObject({ note: z.string().trim().min(4).max(500) });
const terminalParams = z.strictObject({ terminalId: terminalIdSchema });
const haltParams = z.strictObject({ terminalId: terminalIdSchema, eventId: uuidV7Schema });
const villageParams = z.strictObject({ villageCode: villageCodeField });

/**
 * A terminal as GET /terminals shows it (gateway/fleet.ts FleetTerminal), for
 * the OpenAPI document: its diagnostics (issue 13 section 1) in full, each
 * recent error with the error register's name, words key and action.
 */
export const fleetTerminalDocSchema = z.looseObject({
  terminalId: z.string(),
  online: z.boolean(),
  lastSeen: z.string().nullable(),
  softwareVersion: z.string().nullable(),
  devices: z.array(deviceStatusSchema),
  outboxPending: z.number().int().nullable(),
  outboxHalted: z.boolean(),
  alarms: z.array(alarmSchema),
  clockDriftMs: z.number().int().nullable(),
  resources: resourcesSchema.nullable(),
  recentErrors: z.array(recentErrorSchema.extend({ name: z.string(), messageKey: z.string(), action: z.enum(STAFF_ACTIONS), retryable: z.boolean() })),
});

export function fleetRoutes(registry: Registry, gateway: GatewayState): RouteSpec[] {
  const { terminals, fleet, changes } = gateway;
  const known = (terminalId: string): void => {
    if (fleet.list({ terminalId }).length === 0) throw new ApiError(404, 'not-found', `no terminal ${terminalId}`, 'terminalId');
  };
  return [
    {
      method: 'get',
      path: '/terminals',
      summary: 'The kiosk fleet: site, online, last seen, software version, devices, resources, recent errors, outbox depth, alarms, open outbox halts',
      access: 'auditor',
      success: { status: 200, description: '{ terminals: FleetTerminal[] }', schema: z.object({ terminals: z.array(fleetTerminalDocSchema) }) },
      handler: () => json(200, { terminals: fleet.list() }),
    },
    {
      method: 'get',
      path: '/terminals/:terminalId',
      summary: 'One kiosk of the fleet, with its diagnostics (devices, resources, recent errors)',
      access: 'auditor',
      params: terminalParams,
      success: { status: 200, description: 'FleetTerminal', schema: fleetTerminalDocSchema },
      handler: ({ params }) => {
        const [terminal] = fleet.list({ terminalId: (params as { terminalId: string }).terminalId });
        if (!terminal) throw new ApiError(404, 'not-found', 'no such terminal', 'terminalId');
        return json(200, terminal);
      },
    },
    {
      method: 'post',
      path: '/terminals',
      summary: 'Create a terminal at a village and location; answers its one-time enrolment code (valid 7 days)',
      access: 'operator',
      body: createTerminalSchema,
      success: { status: 201, description: '{ terminalId, code, expiresAt }' },
      handler: ({ body, user }) => {
        const b = body as z.infer<typeof createTerminalSchema>;
        registry.persons.village(b.villageCode);
        const issued = terminals.createTerminal({ terminalId: b.terminalId, villageCode: b.villageCode, location: b.location }, user?.username ?? null);
        changes.emit('terminal-config', b.terminalId);
        return json(201, { terminalId: b.terminalId, ...issued });
      },
    },
    {
      method: 'post',
      path: '/terminals/:terminalId/revoke',
      summary: 'Revoke a terminal: its next connection is refused and a connected one is dropped',
      access: 'operator',
      params: terminalParams,
      success: { status: 200, description: '{ terminalId, revoked: true }' },
      handler: ({ params }) => {
        const { terminalId } = params as { terminalId: string };
        if (!terminals.revoke(terminalId)) throw new ApiError(404, 'not-found', `no enrolled terminal ${terminalId}`, 'terminalId');
        changes.emit('terminal-revoked', terminalId);
        return json(200, { terminalId, revoked: true });
      },
    },
    {
      method: 'post',
      path: '/terminals/:terminalId/offline-limits',
      summary: 'Set the cash a kiosk may take while offline, since its last sync (amount in fen and number of payments)',
      access: 'operator',
      params: terminalParams,
      body: offlineLimitsSchema,
      success: { status: 200, description: '{ terminalId, offlineLimits }' },
      handler: ({ params, body }) => {
        const { terminalId } = params as { terminalId: string };
        known(terminalId);
        const limits = body as z.infer<typeof offlineLimitsSchema>;
        fleet.setOfflineLimits(terminalId, limits);
        changes.emit('terminal-config', terminalId);
        return json(200, { terminalId, offlineLimits: limits });
      },
    },
    {
      method: 'post',
      path: '/terminals/:terminalId/halts/:eventId/settle',
      summary: "Settle the entry a kiosk's outbox stopped at (say what was done in `note`); the kiosk's outbox then goes on",
      access: 'operator',
      params: haltParams,
      body: settleHaltSchema,
      success: { status: 200, description: 'OutboxHalt' },
      handler: ({ params, body, user }) => {
        const { terminalId, eventId } = params as { terminalId: string; eventId: string };
        if (!fleet.halt(terminalId, eventId)) throw new ApiError(404, 'not-found', `no outbox halt ${eventId} at ${terminalId}`, 'eventId');
        const halt = fleet.settleHalt(terminalId, eventId, user?.username ?? 'unknown', (body as { note: string }).note);
        changes.emit('halt-settled', terminalId, eventId);
        return json(200, halt);
      },
    },
    {
      method: 'post',
      path: '/villages/:villageCode/agent',
      summary: "Set a village's agent (name and phone), shown on the kiosk's help screen",
      access: 'operator',
      params: villageParams,
      body: villageAgentInputSchema,
      success: { status: 200, description: '{ code, agentName, agentPhone }' },
      handler: ({ params, body }) => {
        const { villageCode } = params as { villageCode: string };
        const agent = registry.persons.setVillageAgent(villageCode, body);
        changes.emit('village', villageCode);
        return json(200, agent);
      },
    },
  ];
}
