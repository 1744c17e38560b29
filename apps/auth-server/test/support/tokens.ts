import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { requestToken } from './token-request.js';
import { DEMO_CLIENTS } from '@repo/contracts';

/** A giftdeliveries token for urn:worldmappers from the server at `url`. */
export async function giftdeliveriesToken(url: string): Promise<string> {
  const res = await requestToken(`${url}/oauth/token`, {
    clientId: 'giftdeliveries',
    clientSecret: DEMO_CLIENTS.giftdeliveries.devSecret,
    api: 'urn:worldmappers',
  });
  if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

export const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/** The kids the server publishes now. */
export async function publishedKids(url: string): Promise<string[]> {
  const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string }[];
  };
  return jwks.keys.map((key) => key.kid);
}

/** The server's published JWKS, to verify tokens with. */
export async function jwksOf(url: string) {
  return createLocalJWKSet((await (await fetch(`${url}/jwks`)).json()) as JSONWebKeySet);
}
