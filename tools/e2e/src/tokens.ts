import { DEMO_CLIENTS, type DemoClientId } from '@repo/contracts';

/** A successful token response body (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

/**
 * Asks the auth-server for a client-credentials token the Auth0 way (JSON body, `audience`);
 * throws with the OAuth error when it refuses.
 */
export async function fetchToken(
  issuer: string,
  clientId: DemoClientId,
  audience: string,
  scope?: string,
  /** A DPoP proof for the token endpoint (RFC 9449 §5): the token is then bound to its key. */
  dpopProof?: string,
): Promise<TokenResponse> {
  const res = await fetch(`${issuer}oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(dpopProof === undefined ? {} : { dpop: dpopProof }),
    },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: DEMO_CLIENTS[clientId].devSecret,
      audience,
      ...(scope === undefined ? {} : { scope }),
    }),
  });
  const body = (await res.json()) as TokenResponse & { error?: string };
  if (!res.ok)
    throw new Error(`token refused for ${clientId}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Whether a text looks like a Node stack trace (`    at fn (file:line:col)`). */
export const STACK_TRACE = /\n\s+at .+[:(]\d+:\d+\)?/;
