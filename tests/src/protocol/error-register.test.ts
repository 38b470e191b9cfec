// The one error register (issue 13 section 1): the layers' ranges never
// overlap, every code sits in its layer's range, every code a kiosk can
// report has words and a suggested action in the kiosk's four languages,
// every layer's error class takes its codes from the register, and
// "retryable" means one thing.
import { describe, expect, it } from 'vitest';
import {
  CARD_ERROR_CODES,
  DEVICE_ERROR_CODES,
  ERROR_RANGES,
  ERROR_REGISTER,
  GATEWAY_ERROR_CODES,
  PROTOCOL_ERROR_CODES,
  STAFF_ACTIONS,
  errorRangeOf,
  gatewayErrorCode,
  isRetryable,
} from '@nongbao/protocol';
import { CardError, CardErrorCode, isRetryable as isCardRetryable } from '@nongbao/drivers/card';
import { DeviceError, DeviceErrorCode, isRetryable as isDeviceRetryable } from '@nongbao/drivers';
import { LedgerErrorCode } from '../../../server/src/ledger/errors.js';
import { PolicyErrorCode } from '../../../server/src/policy/errors.js';
import { REGISTRY_ERROR_CODES } from '../../../server/src/registry/errors.js';
import { RUN_ERROR_CODES } from '../../../server/src/runs/errors.js';
import { API_ERROR_CODES } from '../../../server/src/api/errors.js';
import { COLLECTION_ERROR_CODES } from '../../../server/src/collections/errors.js';
import { DICTIONARIES, LANGUAGES } from '../../../kiosk-ui/src/i18n.js';

describe('the error register', () => {
  it('has no two ranges that overlap, and every range is well formed', () => {
    const sorted = [...ERROR_RANGES].sort((a, b) => a.from - b.from);
    for (const range of sorted) expect(range.from, range.about).toBeLessThanOrEqual(range.to);
    const overlaps = sorted.slice(1).filter((range, i) => range.from <= sorted[i]!.to).map((r) => r.about);
    expect(overlaps).toEqual([]);
  });

  it('puts every registered code in a range of its own layer', () => {
    const misplaced = [...ERROR_REGISTER.values()].filter((e) => errorRangeOf(e.code)?.layer !== e.layer).map((e) => `${e.code} ${e.messageKey}`);
    expect(misplaced).toEqual([]);
    expect(ERROR_REGISTER.size).toBeGreaterThan(80);
  });

  it('gives every server error class codes inside the ranges the register keeps for it', () => {
    const server = {
      ledger: Object.values(LedgerErrorCode),
      policy: Object.values(PolicyErrorCode),
      registry: Object.values(REGISTRY_ERROR_CODES),
      runs: Object.values(RUN_ERROR_CODES),
      api: Object.values(API_ERROR_CODES),
      collections: Object.values(COLLECTION_ERROR_CODES),
    };
    const outside = Object.entries(server).flatMap(([owner, codes]) => codes.filter((code) => errorRangeOf(code)?.layer !== 'server').map((code) => `${owner} ${code}`));
    expect(outside).toEqual([]);
  });

  it('has words for every code and every action in every kiosk language', () => {
    const missing: string[] = [];
    for (const language of LANGUAGES) {
      const words = DICTIONARIES[language];
      for (const entry of ERROR_REGISTER.values()) {
        if (!words[`error.${entry.messageKey}`]?.trim()) missing.push(`${language} error.${entry.messageKey}`);
        if (!(STAFF_ACTIONS as readonly string[]).includes(entry.action)) missing.push(`${entry.code} has no action`);
      }
      for (const action of STAFF_ACTIONS) if (!words[`action.${action}`]?.trim()) missing.push(`${language} action.${action}`);
    }
    expect(missing).toEqual([]);
  });

  it('is where the device and card layers take their codes from: one number, one name, no two layers sharing', () => {
    expect(DeviceErrorCode).toBe(DEVICE_ERROR_CODES);
    expect(CardErrorCode).toBe(CARD_ERROR_CODES);
    const numbers = [...Object.values(DEVICE_ERROR_CODES), ...Object.values(CARD_ERROR_CODES)];
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(ERROR_REGISTER.get(CardErrorCode.pinBlocked)?.messageKey).toBe('card.pinBlocked');
    expect(ERROR_REGISTER.get(DeviceErrorCode.paperOut)?.action).toBe('loadPaper');
  });

  it('numbers every gateway reply code', () => {
    const numbers = PROTOCOL_ERROR_CODES.map(gatewayErrorCode);
    expect(numbers.every((n) => ERROR_REGISTER.get(n)?.layer === 'gateway')).toBe(true);
    expect(new Set(numbers).size).toBe(Object.keys(GATEWAY_ERROR_CODES).length);
  });

  it('means one thing by retryable in every layer: repeat unchanged, no person needed', () => {
    expect(isDeviceRetryable).toBe(isRetryable);
    expect(isCardRetryable).toBe(isRetryable);
    expect(isRetryable(new DeviceError(DeviceErrorCode.nak, 'NAK'))).toBe(true);
    expect(isRetryable(new DeviceError(DeviceErrorCode.badFrame, 'garbled'))).toBe(true);
    expect(isRetryable(new DeviceError(DeviceErrorCode.paperOut, 'no paper'))).toBe(false);
    expect(isRetryable(new CardError(CardErrorCode.timeout, 'slow'))).toBe(true);
    // A removed card needs a person: not retryable (the card layer used to say it was).
    expect(isRetryable(new CardError(CardErrorCode.cardRemoved, 'gone'))).toBe(false);
    expect(isRetryable({ code: gatewayErrorCode('unavailable') })).toBe(true);
    expect(isRetryable(new Error('timeout'))).toBe(false);
  });
});
