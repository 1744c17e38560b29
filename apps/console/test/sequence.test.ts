import { describe, expect, it } from 'vitest';
import { arrowOf, rawExchange, shortenTokens } from '../web/sequence.js';

const JWT = `eyJhbGciOiJSUzI1NiJ9.${'a'.repeat(200)}.${'b'.repeat(80)}Xk3Q`;

describe('the timeline as a sequence', () => {
  it('draws a token request from the client lane to the authorization server, with its error', () => {
    const arrow = arrowOf({
      kind: 'token',
      service: 'auth-server',
      fields: { status: 400 },
      exchange: {
        request: { method: 'POST', url: '/oauth/token?x=1', body: { client_id: 'banned-partner' } },
        response: { status: 400, body: { error: 'access_denied' } },
      },
    });
    expect(arrow).toEqual({
      from: 0,
      to: 1,
      caller: 'banned-partner',
      callee: 'auth-server',
      request: 'POST /oauth/token',
      response: '400 access_denied',
    });
  });

  it('draws an API call from the client lane to the resource server, with the refusal', () => {
    expect(
      arrowOf({
        kind: 'api',
        service: 'worldmappers-api',
        fields: { status: 403, clientId: 'store-locator', reason: 'insufficient_scope: lacks' },
        exchange: {
          request: { method: 'GET', url: '/api/directions?origin=A' },
          response: { status: 403, body: { error: 'insufficient_scope' } },
        },
      }),
    ).toMatchObject({
      from: 0,
      to: 2,
      caller: 'store-locator',
      callee: 'worldmappers-api',
      request: 'GET /api/directions',
      response: '403 insufficient_scope',
    });
  });

  it('keeps a state change on its own lane, and has no arrow for other events', () => {
    expect(arrowOf({ kind: 'keys', message: 'signing keys changed' })).toMatchObject({
      from: 1,
      to: 1,
    });
    expect(arrowOf({ kind: 'delivery', message: 'delivery planned' })).toMatchObject({
      from: 0,
      to: 0,
    });
    expect(arrowOf({ kind: 'stream' })).toBeUndefined();
  });

  it('shortens any token left in the raw exchange, keeping fingerprints as they are', () => {
    const { request, response } = rawExchange({
      request: {
        method: 'GET',
        url: '/api/directions',
        headers: { authorization: 'Bearer sha256:1a2b3c4d' },
      },
      response: {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="urn:worldmappers", error="invalid_token"' },
        body: { echoed: JWT },
      },
    });
    expect(request).toBe('GET /api/directions\nauthorization: Bearer sha256:1a2b3c4d');
    expect(response).toContain('HTTP 401\nwww-authenticate: Bearer realm="urn:worldmappers"');
    expect(response).not.toContain(JWT);
    expect(response).toContain(`eyJhbGciOiJS…(${JWT.length})…bbXk3Q`);
    expect(shortenTokens('no token here')).toBe('no token here');
    expect(rawExchange(undefined)).toEqual({ request: '', response: '' });
  });
});
