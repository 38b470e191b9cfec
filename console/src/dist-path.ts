// Where the built console lives; the county server serves this folder under /admin.
import { fileURLToPath } from 'node:url';

export const consoleDistDir = fileURLToPath(new URL('../dist', import.meta.url));
