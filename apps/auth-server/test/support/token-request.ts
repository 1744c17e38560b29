/** How a token request is written: the three independent choices a client makes. */
export interface RequestStyle {
  body: 'form' | 'json';
  auth: 'client_secret_basic' | 'client_secret_post';
  target: 'audience' | 'resource';
}

export interface TokenRequest {
  clientId: string;
  clientSecret: string;
  api?: string;
  scope?: string;
  extra?: Record<string, string>;
}

/** Sends a client credentials request in the given style; resolves with status, headers and JSON. */
export async function requestToken(
  endpoint: string,
  request: TokenRequest,
  style: RequestStyle = { body: 'form', auth: 'client_secret_post', target: 'audience' },
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const params: Record<string, string> = { grant_type: 'client_credentials', ...request.extra };
  if (request.api !== undefined) params[style.target] = request.api;
  if (request.scope !== undefined) params.scope = request.scope;
  const headers: Record<string, string> = {};
  if (style.auth === 'client_secret_post') {
    params.client_id = request.clientId;
    params.client_secret = request.clientSecret;
  } else {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${encode(request.clientId)}:${encode(request.clientSecret)}`).toString('base64')}`;
  }
  let body: string;
  if (style.body === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(params);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(params).toString();
  }
  const res = await fetch(endpoint, { method: 'POST', headers, body });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

export const ALL_STYLES: RequestStyle[] = (['form', 'json'] as const).flatMap((body) =>
  (['client_secret_basic', 'client_secret_post'] as const).flatMap((auth) =>
    (['audience', 'resource'] as const).map((target) => ({ body, auth, target })),
  ),
);
