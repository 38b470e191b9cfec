// Entry of the virtual-card worker thread (vpcd-worker.ts). A worker does not
// inherit the main thread's TypeScript loader, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./vpcd-worker-thread.ts');
