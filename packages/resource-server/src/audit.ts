import type { JWTPayload } from 'express-oauth2-jwt-bearer';
import type { RequestLogLine } from '@repo/logger';

function clientIdOf(claims: JWTPayload | undefined): string | undefined {
  const id = claims?.client_id ?? claims?.azp ?? claims?.sub;
  return typeof id === 'string' ? id : undefined;
}

/** A token's granted scopes, as a list (for checks) and as one space-separated text (for logs). */
interface GrantedScopes {
  list: readonly string[];
  text: string;
}

/** Granted scopes per claims object: cached claims are frozen and shared, so split them once. */
const grantedScopes = new WeakMap<JWTPayload, GrantedScopes>();

function grantedOf(claims: JWTPayload): GrantedScopes {
  let granted = grantedScopes.get(claims);
  if (granted === undefined) {
    const claim = claims.scope;
    const list = Object.freeze(
      typeof claim === 'string'
        ? claim.split(' ').filter(Boolean)
        : Array.isArray(claim)
          ? claim.filter((scope): scope is string => typeof scope === 'string')
          : [],
    );
    granted = { list, text: list.join(' ') };
    grantedScopes.set(claims, granted);
  }
  return granted;
}

/**
 * The scopes a token grants: its `scope` claim, space separated (RFC 9068 §2.2.3), or an array of
 * strings as some servers send it; none when the claim is missing or of another type.
 */
export function scopesOf(claims: JWTPayload | undefined): readonly string[] {
  return claims === undefined ? [] : grantedOf(claims).list;
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
  /** The scopes requireScopes demanded, space separated. */
  required: string | undefined = undefined;
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
      // Space separated, as in the token's own `scope` claim (RFC 6749 §3.3).
      scopes: this.claims === undefined ? '' : grantedOf(this.claims).text,
      decision: denied ? 'deny' : 'allow',
    };
    if (this.required !== undefined) fields.requiredScopes = this.required;
    if (this.denied !== undefined) fields.reason = this.denied;
    return fields;
  }
}
