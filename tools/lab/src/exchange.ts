/** One HTTP exchange of a scenario: what was sent and what came back, printable. */
export interface Exchange {
  method: string;
  url: string;
  /** Headers as shown (secrets and tokens already shortened). */
  shownHeaders: Record<string, string>;
  /** Body as shown. */
  shownBody?: string;
  status: number;
  statusText: string;
  challenge: string | null;
  /** The `Retry-After` header, when the server asks the caller to wait. */
  retryAfter: string | undefined;
  body: unknown;
  raw: string;
}

/** `eyJhbGciOi…(812)…Xk3Q`, its length in the middle: enough to recognise a token, not to use it. */
export function shortToken(token: string): string {
  if (token.length <= 24) return token;
  return `${token.slice(0, 12)}…(${token.length})…${token.slice(-6)}`;
}

/** A body or header with every JWT-looking string shortened. */
export function hideTokens(text: string): string {
  return text.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, (token) => shortToken(token));
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The body as printed (e.g. with the client secret replaced). */
  shownBody?: string;
}

/** Sends a request and keeps both sides for printing. */
export async function send(url: string, options: SendOptions = {}): Promise<Exchange> {
  const method = options.method ?? 'GET';
  const res = await fetch(url, {
    method,
    headers: options.headers,
    body: options.body,
    signal: AbortSignal.timeout(15_000),
  });
  const raw = await res.text();
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // Not JSON: shown as text.
  }
  const shownHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    shownHeaders[name] = hideTokens(value);
  }
  return {
    method,
    url,
    shownHeaders,
    shownBody:
      options.shownBody ?? (options.body === undefined ? undefined : hideTokens(options.body)),
    status: res.status,
    statusText: res.statusText,
    challenge: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after') ?? undefined,
    body,
    raw,
  };
}
