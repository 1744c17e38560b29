import { Agent, request } from 'node:http';

/** One request's outcome: its status and its latency in ms, client side. */
export interface Answer {
  status: number;
  ms: number;
}

/** A POST with a fixed body over a keep-alive agent, timed from send to the last byte read. */
function post(agent: Agent, url: URL, body: Buffer, headers: Record<string, string>) {
  return new Promise<Answer>((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A load run's answers and its wall time. */
export interface LoadResult {
  answers: Answer[];
  ms: number;
}

/**
 * Sends `count` identical POSTs over `connections` keep-alive connections, each connection sending
 * its next request as soon as the previous one is answered (closed loop, as autocannon does, but
 * with sub-millisecond latencies and an exact number of requests).
 */
export async function closedLoop(options: {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  count: number;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.url);
  const body = Buffer.from(options.body);
  const answers: Answer[] = [];
  let left = options.count;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (left > 0) {
          left -= 1;
          answers.push(await post(agent, url, body, options.headers));
        }
      }),
    );
    return { answers, ms: performance.now() - t0 };
  } finally {
    agent.destroy();
  }
}
