// What a counter write would do, before the operator confirms it (issue 14
// "Residents": "counter payment, certification, death and urban-pension
// reports, with the policy engine's answer shown before confirming").
// One mechanism for all four: the very write the confirm button sends is
// made inside a transaction that is rolled back (runs/run-log.ts withDryRun,
// the runs' dry runs), so the preview is the write's own answer (the credits
// by source, the refusal reason with its 422, the settlement the next run
// would make) and cannot disagree with it. Nothing is written and nothing
// is audited (a preview is a read).
import type { z } from 'zod';
import type { Registry } from '../registry/index.js';
import type { Runs } from '../runs/index.js';
import { withDryRun } from '../runs/run-log.js';
import { deathReportInputSchema, urbanPensionReportInputSchema } from '../registry/index.js';
import { counterCertificationSchema, counterContributionSchema, type HandlerOutput, type RouteSpec } from './routes.js';

const preview = (json: unknown): HandlerOutput => ({ status: 200, json: { preview: true, ...(json as object) }, audit: false });

export function previewRoutes(registry: Registry, runs: Runs): RouteSpec[] {
  const ctx = registry.context;
  return [
    {
      method: 'post',
      path: '/contributions/preview',
      summary: 'What POST /contributions would answer for this body (credits by source, arrears, or the refusal), writing nothing',
      access: 'operator',
      body: counterContributionSchema,
      success: { status: 200, description: '{ preview: true, result: ContributionResult }; a refusal is the same error POST /contributions gives' },
      handler: ({ body, user }) =>
        preview({ result: withDryRun(ctx, true, () => registry.recordContribution({ ...(body as object), channel: 'counter' }, user ? { actor: user.username } : {})) }),
    },
    {
      method: 'post',
      path: '/certifications/preview',
      summary: 'What POST /certifications would answer, and the pension and certification status after it, writing nothing',
      access: 'operator',
      body: counterCertificationSchema,
      success: { status: 200, description: '{ preview: true, result, before: { pension, certification }, after: { pension, certification } }' },
      handler: ({ body }) => {
        const citizenNumber = (body as z.infer<typeof counterCertificationSchema>).citizenNumber;
        const status = () => {
          const s = registry.accountStatement(citizenNumber);
          return { pension: s.pension, certification: s.certification };
        };
        const before = status();
        return preview(
          withDryRun(ctx, true, () => ({ result: registry.recordCertification({ ...(body as object), channel: 'counter' }), before, after: status() })),
        );
      },
    },
    {
      method: 'post',
      path: '/reports/deaths/preview',
      summary: "What reporting this death would do: the person as recorded and the death settlement's line for them (inheritance, to the pool, to recover), writing nothing",
      access: 'operator',
      body: deathReportInputSchema,
      success: { status: 200, description: '{ preview: true, person, settlement: DeathSettlementLine | null }' },
      handler: ({ body }) => {
        const { citizenNumber } = body as z.infer<typeof deathReportInputSchema>;
        return preview(
          withDryRun(ctx, true, () => {
            const person = registry.persons.reportDeath(body);
            const settlement = runs.deathSettlement({ dryRun: true }).lines.find((l) => l.citizenNumber === citizenNumber) ?? null;
            return { person, settlement };
          }),
        );
      },
    },
    {
      method: 'post',
      path: '/reports/urban-pensions/preview',
      summary: "What reporting this urban employees' pension would do: the months paid since it began and the amount to recover, writing nothing",
      access: 'operator',
      body: urbanPensionReportInputSchema,
      success: { status: 200, description: '{ preview: true, person, finding: UrbanPensionLine | null }' },
      handler: ({ body }) => {
        const { citizenNumber } = body as z.infer<typeof urbanPensionReportInputSchema>;
        return preview(
          withDryRun(ctx, true, () => {
            const person = registry.persons.reportUrbanPension(body);
            const finding = runs.urbanPensionFindings({ dryRun: true }).lines.find((l) => l.citizenNumber === citizenNumber) ?? null;
            return { person, finding };
          }),
        );
      },
    },
  ];
}
