// `@nongbao/terminal/updates`: signed updates on the kiosk (issue 13 section
// 3): the kiosk root's layout, staging a verified bundle, the supervisor that
// runs, switches and rolls back releases, and the update agent inside the
// running terminal. docs/updates.md describes the whole.
export { KioskRoot, kioskPolicySchema, type KioskPolicy } from './layout.js';
export { installKiosk, type InstallResult } from './install.js';
export { stageBundle, type StageResult } from './stage.js';
export { checkInstalled } from './check.js';
export { Supervisor, HEALTH_GATE_TIMEOUT_MS, EXIT_NOTHING_TO_RUN, type SupervisorOptions } from './supervisor.js';
export { readSupervisorState, versionFloor, type SupervisorState, type SwitchRecord } from './supervisor-state.js';
export { SUPERVISOR_ENV, childMessageSchema, supervisorMessageSchema, type ChildMessage, type SupervisorMessage, type HealthCheck } from './ipc.js';
export { RELEASE_ENTRY_FILE } from './release-entry.js';
export { UpdateAgent, type SessionBoundary, type SupervisorChannel, type UpdateAgentDeps } from './agent.js';
export { downloadBundle, DOWNLOAD_ATTEMPTS_LIMIT } from './download.js';
export { updateFromFolder } from './usb.js';
export { healthChecks } from './health.js';
export { staffUpdateRoutes } from './staff-routes.js';
