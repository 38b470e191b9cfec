// Where the built kiosk UI lives; the terminal serves this folder on 127.0.0.1.
import { fileURLToPath } from 'node:url';

export const kioskUiDistDir = fileURLToPath(new URL('../dist', import.meta.url));
