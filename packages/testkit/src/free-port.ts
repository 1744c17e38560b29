import { createServer } from 'node:net';

/**
 * Where test ports are picked: below Linux's ephemeral range (32768–60999), from which every
 * outgoing connection takes its local port. A port the kernel handed out as "free" (port 0) is
 * in that range, so between freePort() and the service's bind a client socket of any test could
 * take it (EADDRINUSE); a port below the range is only ever taken by another listener.
 */
const RANGE = { from: 20_000, to: 32_767 };

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1: for services whose own URL must be known before they start. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from + 1));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port between ${RANGE.from} and ${RANGE.to} after 100 tries`);
}
