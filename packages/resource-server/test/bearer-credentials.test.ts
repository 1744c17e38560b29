import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import {
  ambiguousCredentials,
  carriesNothing,
  plainBearerToken,
} from '../src/bearer-credentials.js';

/** Just what the functions read of an Express request. */
function requestWith(
  headers: Record<string, string>,
  options: { query?: Record<string, string>; body?: unknown; rawHeaders?: string[] } = {},
) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    headers: { host: 'api.test:7001', ...lower },
    rawHeaders: options.rawHeaders ?? Object.entries(headers).flat(),
    query: options.query ?? {},
    body: options.body,
  } as unknown as Request;
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('plainBearerToken', () => {
  it('gives the token of exactly one "Authorization: Bearer" header on an ordinary request', () => {
    const req = requestWith({ Authorization: `Bearer ${TOKEN}` });
    expect(plainBearerToken(req, '/api/read?x=1', 4_096)).toBe(TOKEN);
  });

  it.each([
    ['another spelling of the scheme', { Authorization: `bearer ${TOKEN}` }, '/api/read'],
    ['an empty token', { Authorization: 'Bearer ' }, '/api/read'],
    ['a forwarded host', { Authorization: `Bearer ${TOKEN}`, 'X-Forwarded-Host': 'x' }, '/api'],
    ['an unusual host', { Authorization: `Bearer ${TOKEN}`, Host: 'a_b:99999' }, '/api/read'],
    ['a path starting with //', { Authorization: `Bearer ${TOKEN}` }, '//api/read'],
    ['a URL in the path', { Authorization: `Bearer ${TOKEN}` }, '/http://x/api'],
  ])('leaves %s to the library', (_name, headers, target) => {
    expect(plainBearerToken(requestWith(headers), target, 4_096)).toBeUndefined();
  });

  it('leaves a request carrying a token in its query or its body, or too long a token, to the library', () => {
    const header = { Authorization: `Bearer ${TOKEN}` };
    const query = requestWith(header, { query: { access_token: 'other' } });
    expect(plainBearerToken(query, '/api?access_token=other', 4_096)).toBeUndefined();
    const body = requestWith(
      { ...header, 'Content-Length': '20' },
      { body: { access_token: 'other' } },
    );
    expect(plainBearerToken(body, '/api', 4_096)).toBeUndefined();
    expect(plainBearerToken(requestWith(header), '/api', TOKEN.length - 1)).toBeUndefined();
  });
});

describe('carriesNothing', () => {
  it('says so of an ordinary request without token or proof', () => {
    expect(carriesNothing(requestWith({}), '/api/read?x=1')).toBe(true);
  });

  it.each([
    ['an Authorization header', { Authorization: 'Basic Zm9vOmJhcg==' }, '/api/read'],
    ['a DPoP proof', { DPoP: 'eyJ.eyJ.sig' }, '/api/read'],
    ['a forwarded host', { 'X-Forwarded-Host': 'x' }, '/api/read'],
    ['a forwarded protocol', { 'X-Forwarded-Proto': 'https' }, '/api/read'],
    ['an unusual host', { Host: 'a_b:99999' }, '/api/read'],
    ['a path starting with //', {}, '//api/read'],
    ['a URL in the path', {}, '/http://x/api'],
  ])('leaves a request with %s to the library', (_name, headers, target) => {
    expect(carriesNothing(requestWith(headers), target)).toBe(false);
  });

  it('leaves a request with a token in its query or its body to the library', () => {
    const query = requestWith({}, { query: { access_token: TOKEN } });
    expect(carriesNothing(query, `/api?access_token=${TOKEN}`)).toBe(false);
    const body = requestWith({ 'Content-Length': '20' }, { body: { access_token: TOKEN } });
    expect(carriesNothing(body, '/api')).toBe(false);
  });
});

describe('ambiguousCredentials', () => {
  it('refuses two Authorization headers and a token in the URL without a header', () => {
    const twice = requestWith(
      { Authorization: `Bearer ${TOKEN}` },
      { rawHeaders: ['Authorization', `Bearer ${TOKEN}`, 'authorization', 'Bearer x'] },
    );
    expect(ambiguousCredentials(twice, '/api')).toBe('Send exactly one Authorization header.');
    const inUrl = requestWith({}, { query: { access_token: TOKEN } });
    expect(ambiguousCredentials(inUrl, `/api?access_token=${TOKEN}`)).toMatch(
      /^Send the access token in the Authorization header, not in the URL/,
    );
    expect(ambiguousCredentials(requestWith({ Authorization: `Bearer ${TOKEN}` }), '/api')).toBe(
      undefined,
    );
  });
});
