import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocol,drivers,terminal,server,tests,kiosk-ui,console}/src/**/*.test.ts', 'cli/**/*.test.ts'],
    // Integration tests start real daemons (pcscd, socat, chromium) on a
    // 2-core machine: generous per-test limits, and files in parallel by forks.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['tests/src/global-setup.ts', 'tests/src/pg-global-setup.ts'],
    reporters: ['default'],
  },
});
