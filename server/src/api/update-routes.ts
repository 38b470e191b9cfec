// The office API for signed updates (issue 13 section 3): the published
// releases, and rollouts of one to chosen terminals: a canary share first,
// promoted to everyone once the canaries are healthy, halted by an operator
// or by a canary that fails. Offers and withdrawals go on the change bus;
// the gateway pushes them to connected terminals (and to the others when
// they connect). Releases are published on the server machine
// (`nongbao release publish`): a bundle is a file, not a JSON body.
import { z } from 'zod';
import { releaseVersionSchema, terminalIdSchema, uuidV7Schema } from '@nongbao/protocol';
import type { GatewayState } from '../app.js';
import { DEFAULT_CANARY_PERCENT } from '../updates/index.js';
import { RolloutError } from '../updates/errors.js';
import type { HandlerOutput, RouteSpec } from './routes.js';

const json = (status: number, body: unknown): HandlerOutput => ({ status, json: body });

/** Terminals one rollout names at most (a province's fleet is rolled out county by county). */
export const ROLLOUT_TERMINALS_LIMIT = 5_000;

export const createRolloutSchema = z.strictObject({
  version: releaseVersionSchema,
  terminalIds: z.array(terminalIdSchema).min(1).max(ROLLOUT_TERMINALS_LIMIT).optional().describe('Absent: every enrolled terminal that is not revoked'),
  canaryPercent: z.int().min(1).max(100).default(DEFAULT_CANARY_PERCENT).describe('The share offered first, at least one terminal; 100 offers everyone at once'),
});
export const haltRolloutSchema = z.strictObject({ reason: z.string().trim().min(4).max(300) });
const rolloutParams = z.strictObject({ rolloutId: uuidV7Schema });

export function updateRoutes(gateway: GatewayState): RouteSpec[] {
  const { updates, fleet, changes } = gateway;
  /** The named terminals, each enrolled and not revoked; all such terminals when none are named. */
  const chosenTerminals = (named: string[] | undefined): string[] => {
    const fleetNow = fleet.list();
    const eligible = new Set(fleetNow.filter((t) => t.enrolled && !t.revoked).map((t) => t.terminalId));
    if (!named) return [...eligible].sort();
    const unknown = named.filter((id) => !eligible.has(id));
    if (unknown.length > 0) throw new RolloutError('terminal-unknown', `not enrolled or revoked: ${unknown.slice(0, 10).join(', ')}`, 'terminalIds', { terminalIds: unknown });
    return named;
  };
  return [
    {
      method: 'get',
      path: '/releases',
      summary: 'Published software releases (nongbao release publish): version, model, expiry, bundle sha256 and size, who signed',
      access: 'auditor',
      success: { status: 200, description: '{ releases: PublishedRelease[] }' },
      handler: () => json(200, { releases: updates.releases.list() }),
    },
    {
      method: 'get',
      path: '/rollouts',
      summary: "Rollouts, newest first, with each terminal's state: waiting, offered, downloading, staged, switched, healthy, rolled-back, failed",
      access: 'auditor',
      success: { status: 200, description: '{ rollouts: Rollout[] }' },
      handler: () => json(200, { rollouts: updates.rollouts.list() }),
    },
    {
      method: 'get',
      path: '/rollouts/:rolloutId',
      summary: 'One rollout and the state of each of its terminals',
      access: 'auditor',
      params: rolloutParams,
      success: { status: 200, description: 'Rollout' },
      handler: ({ params }) => json(200, updates.rollouts.get((params as { rolloutId: string }).rolloutId)),
    },
    {
      method: 'post',
      path: '/rollouts',
      summary: 'Roll a published release out to chosen terminals (all by default): the canary share is offered it now, the rest after promotion',
      access: 'operator',
      body: createRolloutSchema,
      success: { status: 201, description: 'Rollout' },
      handler: ({ body, user }) => {
        const b = body as z.infer<typeof createRolloutSchema>;
        const { rollout, offerTo } = updates.rollouts.create({ version: b.version, terminalIds: chosenTerminals(b.terminalIds), canaryPercent: b.canaryPercent, createdBy: user?.username ?? 'unknown' });
        changes.emit('update-offer', offerTo);
        return json(201, rollout);
      },
    },
    {
      method: 'post',
      path: '/rollouts/:rolloutId/promote',
      summary: 'Offer the rollout to everyone it names; refused (409 canary-not-healthy) until every canary terminal is healthy',
      access: 'operator',
      params: rolloutParams,
      success: { status: 200, description: 'Rollout' },
      handler: ({ params }) => {
        const { rollout, offerTo } = updates.rollouts.promote((params as { rolloutId: string }).rolloutId);
        changes.emit('update-offer', offerTo);
        return json(200, rollout);
      },
    },
    {
      method: 'post',
      path: '/rollouts/:rolloutId/halt',
      summary: 'Halt a rollout: terminals that have not switched are told to drop it; those that switched keep it',
      access: 'operator',
      params: rolloutParams,
      body: haltRolloutSchema,
      success: { status: 200, description: 'Rollout' },
      handler: ({ params, body }) => {
        const { rollout, withdrawFrom } = updates.rollouts.halt((params as { rolloutId: string }).rolloutId, (body as { reason: string }).reason);
        changes.emit('update-withdraw', rollout.rolloutId, withdrawFrom);
        return json(200, rollout);
      },
    },
  ];
}
