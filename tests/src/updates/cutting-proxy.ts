// A TCP proxy that cuts the first connection whose answer passes `cutAfterBytes`
// (a download broken off halfway, as a village link breaks), then lets
// everything through; it keeps each request's head so a test can see the
// Range a resumed download asked for.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CuttingProxy {
  port: number;
  requestHeads: string[];
  cuts: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number, cutAfterBytes: number): Promise<CuttingProxy> {
  const open = new Set<Socket>();
  const state: CuttingProxy = { port: 0, requestHeads: [], cuts: 0, close: async () => undefined };
  let armed = true;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/^(GET|POST) /.test(text)) state.requestHeads.push(text.split('\r\n\r\n')[0]!);
      upstream.write(chunk);
    });
    let passed = 0;
    upstream.on('data', (chunk: Buffer) => {
      passed += chunk.length;
      if (armed && passed > cutAfterBytes) {
        armed = false;
        state.cuts += 1;
        client.write(chunk.subarray(0, chunk.length - (passed - cutAfterBytes)), () => {
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
