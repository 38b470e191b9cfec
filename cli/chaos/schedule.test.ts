import { describe, expect, it } from 'vitest';
import { NOTES_YUAN, buildSchedule, coverageFaults, faultLabel, needsCompletion, splitIntoNotes } from './schedule.js';

describe('the chaos schedule', () => {
  it('is the same for the same seed, digest included', () => {
    const a = buildSchedule({ seed: 42, terminals: 3, payments: 30 });
    const b = buildSchedule({ seed: 42, terminals: 3, payments: 30 });
    expect(b).toEqual(a);
    expect(a.digest).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs for another seed', () => {
    const digests = new Set([1, 2, 3, 4, 5].map((seed) => buildSchedule({ seed, terminals: 3, payments: 30 }).digest));
    expect(digests.size).toBe(5);
  });

  it('plans every fault kind at least once when there are enough payments', () => {
    const kinds = coverageFaults().map(faultLabel).map((l) => l.replace(/ \(note \d\)$/, ''));
    for (const seed of [1, 7, 1234]) {
      const schedule = buildSchedule({ seed, terminals: 2, payments: kinds.length });
      const planned = schedule.visits.map((v) => faultLabel(v.fault).replace(/ \(note \d\)$/, ''));
      expect(new Set(planned)).toEqual(new Set(kinds));
      expect(schedule.uncovered).toEqual([]);
    }
  });

  it('says which fault kinds it could not plan with too few payments', () => {
    const schedule = buildSchedule({ seed: 9, terminals: 1, payments: 4 });
    expect(schedule.uncovered).toHaveLength(coverageFaults().length - 4);
  });

  it('gives each visit its own resident and spreads the visits over the terminals', () => {
    const schedule = buildSchedule({ seed: 3, terminals: 4, payments: 40 });
    expect(new Set(schedule.visits.map((v) => v.resident)).size).toBe(40);
    for (let t = 0; t < 4; t++) expect(schedule.visits.filter((v) => v.terminal === t)).toHaveLength(10);
  });

  it('completes the payments whose fault acts on the delivery, and varies the endings of the others', () => {
    const schedule = buildSchedule({ seed: 11, terminals: 3, payments: 200 });
    for (const v of schedule.visits) if (needsCompletion(v.fault)) expect(v.ending).toBe('complete');
    const endings = new Set(schedule.visits.filter((v) => !needsCompletion(v.fault)).map((v) => v.ending));
    expect(endings).toEqual(new Set(['complete', 'cancel', 'pull-card']));
  });
});

describe('splitting what is due into notes', () => {
  it('pays exactly what is due in CNY notes, the same way for the same seed', () => {
    for (const due of [1, 7, 100, 185, 300, 500, 2000]) {
      for (let seed = 0; seed < 20; seed++) {
        const notes = splitIntoNotes(due, seed);
        expect(notes.reduce((sum, n) => sum + n, 0)).toBe(due);
        for (const n of notes) expect(NOTES_YUAN).toContain(n);
        expect(splitIntoNotes(due, seed)).toEqual(notes);
      }
    }
  });

  it('makes two notes at least when the payment is to end part-way', () => {
    for (const due of [2, 5, 100, 300]) {
      for (let seed = 0; seed < 20; seed++) {
        const notes = splitIntoNotes(due, seed, true);
        expect(notes.length).toBeGreaterThanOrEqual(2);
        expect(notes.reduce((sum, n) => sum + n, 0)).toBe(due);
      }
    }
  });
});
