// Public entry `@nongbao/drivers/pinpad` (issue #4 §4). See README.md: raw
// HID only; keyboard-wedge PIN pads are not supported.
export * from './constants.js';
export * from './types.js';
export { decodeReport, encodeReport } from './codec.js';
export { HidPinPad, NodeHidBackend, SecretPin, type HidPinPadOptions } from './driver.js';
export { MockHidBackend, MockKeypad, type MockKey } from './simulator.js';
