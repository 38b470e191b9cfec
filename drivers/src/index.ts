// Public entry of the drivers package: the device model shared by every
// device kind. Each device has its own entry (`@nongbao/drivers/card`,
// `/cctalk`, `/escpos`, `/pinpad`); the shared contract test suite is
// `@nongbao/drivers/testing`.
export * from './device/index.js';
