// HID keypad constants (USB HID Usage Tables 1.4, §10 Keyboard/Keypad page).
// The PIN pad sends 8-byte boot-keyboard input reports over raw HID (hidraw),
// read with node-hid's HIDAsync: [modifiers][reserved][key1..key6].

export const HID_REPORT_BYTES = 8;
/** Usage 0x01 in every key slot: ErrorRollOver (too many keys held). */
export const USAGE_ERROR_ROLLOVER = 0x01;

/** Usages we map; everything else is ignored (counted, never logged by value). */
export const KEY_USAGES: ReadonlyMap<number, 'digit' | 'enter' | 'cancel' | 'clear' | 'backspace'> = new Map([
  // Keyboard 1..9, 0 (0x1E..0x27) and Keypad 1..9, 0 (0x59..0x62)
  ...Array.from({ length: 10 }, (_, i) => [0x1e + i, 'digit'] as const),
  ...Array.from({ length: 10 }, (_, i) => [0x59 + i, 'digit'] as const),
  [0x28, 'enter'], // Keyboard Return
  [0x58, 'enter'], // Keypad Enter
  [0x29, 'cancel'], // Escape
  [0x2a, 'backspace'], // Backspace
  [0x4c, 'clear'], // Delete
  [0x63, 'clear'], // Keypad . / Delete
]);

/** Digit value of a digit usage: 1..9 then 0, on both pages. */
export function digitOfUsage(usage: number): number | undefined {
  if (usage >= 0x1e && usage <= 0x27) return (usage - 0x1e + 1) % 10;
  if (usage >= 0x59 && usage <= 0x62) return (usage - 0x59 + 1) % 10;
  return undefined;
}

/** Card PINs on the social-security card are 6 digits; VERIFY allows 4..12. */
export const PIN_MIN_DIGITS = 4;
export const PIN_MAX_DIGITS = 12;
/** A resident gets this long to enter a PIN. */
export const PIN_ENTRY_TIMEOUT_MS = 60_000;
/** Opening the HID device. */
export const PINPAD_OPEN_TIMEOUT_MS = 5_000;
