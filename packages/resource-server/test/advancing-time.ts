import { vi } from 'vitest';

/**
 * Waits for `request` (a supertest request, or any promise) while fake time moves on 100 ms per
 * turn of the real event loop: what waits on a faked timer (the JWKS cooldown) ends at once,
 * while sockets keep working.
 */
export async function advancingTime<T>(request: PromiseLike<T>): Promise<T> {
  let done = false;
  const result = Promise.resolve(request).finally(() => {
    done = true;
  });
  while (!done) {
    await vi.advanceTimersByTimeAsync(100);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return result;
}
