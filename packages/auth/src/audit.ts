import type { JWTPayload } from 'express-oauth2-jwt-bearer';
import type { RequestLogLine } from '@repo/logger';

function clientIdOf(claims: JWTPayload | undefined): string | undefined {
  const id = claims?.client_id ?? claims?.azp ?? claims?.sub;
  return typeof id === 'string' ? id : undefined;
}

/** Granted scopes per claims object: cached claims are frozen and shared, so split them once. */
const grantedScopes = new WeakMap<JWTPayload, readonly string[]>();

/**
 * The scopes a token grants: its `scope` claim, space separated (RFC 9068 §2.2.3), or an array of
 * strings as some servers send it; none when the claim is missing or of another type.
 */
export function scopesOf(claims: JWTPayload | undefined): readonly string[] {
  if (claims === undefined) return [];
  let scopes = grantedScopes.get(claims);
  if (scopes === undefined) {
    const claim = claims.scope;
    scopes = Object.freeze(
      typeof claim === 'string'
        ? claim.split(' ').filter(Boolean)
        : Array.isArray(claim)
          ? claim.filter((scope): scope is string => typeof scope === 'string')
          : [],
    );
    grantedScopes.set(claims, scopes);
  }
  return scopes;
}

/**
 * What protectApi learns about one request as it passes `authenticate` and `requireScopes`,
 * logged when the response is done: who called (client id, granted scopes), which route and the
 * scopes it requires, and the decision with the reason for a refusal.
 */
export class Audit {
  /** The verified token's claims, once known. */
  claims: JWTPayload | undefined = undefined;
  /** Where requireScopes ran: `req.baseUrl` and the route's path, joined only when logged. */
  baseUrl = '';
  routePath: string | undefined = undefined;
  required: readonly string[] | undefined = undefined;
  /** `code: description` of the refusal protectApi gave, if any. */
  denied: string | undefined = undefined;

  /** `target`: the request's URL as received (the query string is left out of the log). */
  constructor(private readonly target: string) {}

  /** The audit fields of the request's log line. */
  fields({ method, status }: RequestLogLine): Record<string, unknown> {
    const denied = this.denied !== undefined || status === 401 || status === 403;
    const route =
      this.routePath === undefined ? this.target.split('?')[0] : `${this.baseUrl}${this.routePath}`;
    const fields: Record<string, unknown> = {
      audit: true,
      clientId: clientIdOf(this.claims),
      route: `${method} ${route}`,
      scopes: scopesOf(this.claims),
      decision: denied ? 'deny' : 'allow',
    };
    if (this.required !== undefined) fields.requiredScopes = this.required;
    if (this.denied !== undefined) fields.reason = this.denied;
    return fields;
  }
}
