#!/usr/bin/env node
// The `nongbao` command. TypeScript sources run through tsx's loader, so the
// command works straight from a checkout after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
