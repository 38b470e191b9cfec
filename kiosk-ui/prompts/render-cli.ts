// `npm run build -w @nongbao/kiosk-ui`, after `vite build`: renders the spoken
// prompts into dist (render.ts), from the cache where nothing changed.
import { join } from 'node:path';
import { renderPrompts } from './render.js';

const root = join(import.meta.dirname, '..');
const started = Date.now();
const result = await renderPrompts(join(root, 'dist'), join(root, '.prompt-cache'));
process.stderr.write(`spoken prompts: ${result.rendered} rendered, ${result.cached} from the cache, ${Date.now() - started} ms\n`);
