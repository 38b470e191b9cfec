// The supervisor and the release it runs talk over node's IPC channel (the
// child's fd 3); each message is checked against its schema on arrival.
// The channel also ties their lives: a release whose supervisor is gone
// (kill -9) sees the channel close and stops, so two versions never run.
import { z } from 'zod';
import { UPDATE_FAILURES, releaseVersionSchema, uuidV7Schema } from '@nongbao/protocol';

/** What a release tells the kiosk's environment about it (set by the supervisor). */
export const SUPERVISOR_ENV = {
  root: 'NONGBAO_KIOSK_ROOT',
  version: 'NONGBAO_RELEASE_VERSION',
  /** '1' while the release runs its health gate after a switch. */
  trial: 'NONGBAO_RELEASE_TRIAL',
  /** '1' when the gate must see the gateway (the version before had it when it asked to switch). */
  gatewayRequired: 'NONGBAO_GATEWAY_REQUIRED',
} as const;

export const HEALTH_CHECKS = ['journal', 'devices', 'gateway'] as const;

export const healthCheckSchema = z.strictObject({ name: z.enum(HEALTH_CHECKS), ok: z.boolean(), detail: z.string().max(200) });
export type HealthCheck = z.infer<typeof healthCheckSchema>;

/** Release -> supervisor. */
export const childMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('health'),
    version: releaseVersionSchema,
    ok: z.boolean(),
    /** A failure that waiting will not mend (the journal fails its check): the gate fails at once. */
    final: z.boolean(),
    checks: z.array(healthCheckSchema).max(10),
  }),
  z.strictObject({
    type: z.literal('switch'),
    version: releaseVersionSchema,
    rolloutId: uuidV7Schema.nullable(),
    gatewayRequired: z.boolean(),
  }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;
export type HealthMessage = Extract<ChildMessage, { type: 'health' }>;
export type SwitchMessage = Extract<ChildMessage, { type: 'switch' }>;

/** Supervisor -> release. */
export const supervisorMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('committed'), version: releaseVersionSchema }),
  z.strictObject({ type: z.literal('switch-refused'), version: releaseVersionSchema, reason: z.enum(UPDATE_FAILURES), detail: z.string().max(300) }),
]);
export type SupervisorMessage = z.infer<typeof supervisorMessageSchema>;
