// Public entry of the server package.
export { startServer, type RunningServer, type ServerOptions, type ServerServices } from './app.js';
export { createServerServices, DEMO_OFFICE_PASSWORD, type ServerServicesOptions } from './services.js';
export { TerminalRegistry, type CardAuthenticator, type KioskAccountService } from './gateway/index.js';
export { buildDemoCounty, DEMO_PIN, type DemoCounty, type DemoResident } from './demo/county.js';
