// Proof of life (POLICY.md "Proof of life"): at a kiosk with card and PIN (a
// photo is taken for review) or at the office. The id is made by the
// originator, so a replay is harmless. How long a certification holds is the
// policy engine's `certifiedThrough`.
import { certifiedThrough, firstDayOf, type Month } from '../policy/index.js';
import type { RegistryContext } from './context.js';
import { RegistryError } from './errors.js';
import { certificationInputSchema, type CertificationInput } from './inputs.js';
import { parseInput } from './parse.js';
import type { PersonService } from './persons.js';
import { shanghaiDate } from './time.js';

export interface CertificationResult {
  id: string;
  result: 'created' | 'exists';
  citizenNumber: string;
  certifiedOn: string;
  /** The last month the person is now certified for. */
  certifiedThrough: Month;
}

interface CertificationRow {
  id: string;
  citizen_number: string;
  certified_on: string;
  channel: string;
  terminal_id: string | null;
  photo_ref: string | null;
}

export class CertificationService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly persons: PersonService,
  ) {}

  recordCertification(input: CertificationInput | unknown): CertificationResult {
    const c = parseInput(certificationInputSchema, input);
    if (c.channel === 'kiosk' && !c.terminalId) {
      throw new RegistryError('invalid-input', 'terminalId: required for a kiosk certification', 'terminalId');
    }
    const person = this.persons.get(c.citizenNumber);
    const previous = this.ctx.db.prepare('SELECT * FROM reg_certifications WHERE id = ?').get(c.id) as CertificationRow | undefined;
    if (previous) {
      const same =
        previous.citizen_number === c.citizenNumber &&
        previous.certified_on === c.certifiedOn &&
        previous.channel === c.channel &&
        previous.terminal_id === (c.terminalId ?? null) &&
        previous.photo_ref === (c.photoRef ?? null);
      if (!same) throw new RegistryError('id-reused-with-other-content', `certification ${c.id} was recorded with other content`, 'id');
      return { id: c.id, result: 'exists', citizenNumber: c.citizenNumber, certifiedOn: c.certifiedOn, certifiedThrough: this.certifiedThroughOf(c.citizenNumber)! };
    }
    const today = shanghaiDate(this.ctx.now());
    if (c.certifiedOn > today) throw new RegistryError('invalid-date', `certification date ${c.certifiedOn} is in the future`, 'certifiedOn');
    if (c.certifiedOn < person.birthDate) throw new RegistryError('invalid-date', 'certification before birth', 'certifiedOn');
    if (person.deathDate !== null && c.certifiedOn > person.deathDate) {
      throw new RegistryError('deceased', `a death on ${person.deathDate} is recorded for ${c.citizenNumber}`, 'citizenNumber');
    }
    this.ctx.db
      .prepare(
        `INSERT INTO reg_certifications (id, citizen_number, certified_on, channel, terminal_id, photo_ref, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.id, c.citizenNumber, c.certifiedOn, c.channel, c.terminalId ?? null, c.photoRef ?? null, new Date(this.ctx.now()).toISOString());
    this.ctx.logger.info({ id: c.id, citizenNumber: c.citizenNumber, channel: c.channel }, 'certification recorded');
    return { id: c.id, result: 'created', citizenNumber: c.citizenNumber, certifiedOn: c.certifiedOn, certifiedThrough: this.certifiedThroughOf(c.citizenNumber)! };
  }

  lastCertifiedOn(citizenNumber: string): string | null {
    const row = this.ctx.db
      .prepare('SELECT MAX(certified_on) AS d FROM reg_certifications WHERE citizen_number = ?')
      .get(citizenNumber) as { d: string | null };
    return row.d;
  }

  /**
   * The last month covered: by the latest certification, or by the pension's
   * start ("starting the pension counts as certifying on the first day of the
   * start month"), whichever reaches further. null: never certified.
   */
  certifiedThroughOf(citizenNumber: string, pensionStartMonth?: Month | null): Month | null {
    const start =
      pensionStartMonth ??
      ((this.ctx.db.prepare('SELECT start_month FROM reg_pensions WHERE citizen_number = ?').get(citizenNumber) as { start_month: string } | undefined)
        ?.start_month ?? null);
    const last = this.lastCertifiedOn(citizenNumber);
    const candidates: Month[] = [];
    if (last) candidates.push(certifiedThrough(last, this.ctx.policy));
    if (start) candidates.push(certifiedThrough(firstDayOf(start), this.ctx.policy));
    return candidates.length ? candidates.sort().at(-1)! : null;
  }
}
