#!/usr/bin/env -S node --max-semi-space-size=32
// The `nongbao` command. TypeScript sources run through tsx's loader, so the
// command works straight from a checkout after `npm ci` with no build step.
//
// --max-semi-space-size=32 (MB; Node 20's default is 16): the runs keep a
// chunk's rows, transfers and balances alive for about a second, which a 16 MB
// young generation promotes to the old one, where collecting them is costly.
// Measured on a 300 000-recipient payroll, three rounds each: 16 MB 16.8-19.6 s,
// 32 MB 14.5-15.5 s, 64 MB 14.9-15.8 s, 128 MB 16.1-16.9 s. The young
// generation only grows to that size under allocation pressure. `npm start` and
// `npm run bench` pass the same flag; so does NODE_OPTIONS where set.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
