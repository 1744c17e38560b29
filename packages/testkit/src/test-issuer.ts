import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

/** A signing key of the {@link TestIssuer}. */
export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** What {@link TestIssuer.mint} puts in a token; everything optional. */
export interface MintOptions {
  /** Space-separated scopes (`scope` claim); omitted when undefined. */
  scope?: string;
  audience?: string | string[];
  /** Overrides `iss` (to mint a token from a "wrong" issuer). */
  issuer?: string;
  clientId?: string;
  /** Lifetime in seconds; negative gives an already expired token. Default 300. */
  expiresIn?: number;
  /** Sign with this key instead of the issuer's current one (e.g. a key not in the JWKS). */
  key?: TestKey;
  /** JWT header `typ`; default `at+jwt` (RFC 9068). */
  typ?: string;
  /** Extra claims. */
  claims?: JWTPayload;
}

/** A tiny local authorization server for tests: discovery + JWKS, and a token minter. */
export interface TestIssuer {
  /** The issuer, with a trailing slash, e.g. `http://localhost:41234/`. */
  issuer: string;
  /** Requests served so far, by path (to assert JWKS refetches). */
  hits: Record<string, number>;
  mint(options?: MintOptions): Promise<string>;
  /**
   * Makes a fresh key (or `key`, made beforehand with {@link TestIssuer.foreignKey} so the switch
   * is instant) the signing key; the old one stays in the JWKS unless `retire` is set.
   */
  rotate(options?: { retire?: boolean; key?: TestKey }): Promise<TestKey>;
  /** A key the issuer never publishes (for "signed by another key"). */
  foreignKey(): Promise<TestKey>;
  /** Makes discovery/JWKS answer 503 (`down`) or normally again. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

let counter = 0;

async function newKey(): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-key-${++counter}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/**
 * Starts a local issuer on a free port serving `/.well-known/openid-configuration` and
 * `/.well-known/jwks.json`, and mints RS256 access tokens (RFC 9068 shape) with `jose`. Keeps
 * resource-server tests independent of the real auth-server.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  let keys: TestKey[] = [await newKey()];
  let down = false;
  const hits: Record<string, number> = {};
  let issuer = '';

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (down) return send(503, { error: 'temporarily_unavailable' });
    if (path === '/.well-known/openid-configuration') {
      return send(200, {
        issuer,
        jwks_uri: `${issuer}.well-known/jwks.json`,
        token_endpoint: `${issuer}oauth/token`,
        grant_types_supported: ['client_credentials'],
      });
    }
    if (path === '/.well-known/jwks.json') {
      return send(200, { keys: keys.map((k) => k.publicJwk) });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://localhost:${(server.address() as AddressInfo).port}/`;

  return {
    issuer,
    hits,
    async mint(options = {}) {
      const key = options.key ?? keys[keys.length - 1]!;
      const clientId = options.clientId ?? 'test-client';
      const jwt = new SignJWT({
        client_id: clientId,
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        ...options.claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: options.typ ?? 'at+jwt' })
        .setIssuer(options.issuer ?? issuer)
        .setSubject(clientId)
        .setAudience(options.audience ?? 'urn:test')
        .setIssuedAt()
        .setJti(`jti-${++counter}`);
      const expiresIn = options.expiresIn ?? 300;
      const now = Math.floor(Date.now() / 1000);
      jwt.setExpirationTime(now + expiresIn);
      if (expiresIn < 0) jwt.setIssuedAt(now + expiresIn - 60);
      return jwt.sign(key.privateKey);
    },
    async rotate(options = {}) {
      const key = options.key ?? (await newKey());
      keys = options.retire ? [key] : [...keys, key];
      return key;
    },
    foreignKey: newKey,
    setDown(value) {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
