import { createHash } from 'node:crypto';

/** Field names whose values are secrets: passwords, client secrets, tokens, authorization headers. */
const SECRET_FIELD =
  /secret|passw|authorization|cookie|token|api[-_]?key|private[-_]?key|credential|assertion|^jwt$/i;
/** Names that merely talk about secrets: `tokenFingerprint`, `token_endpoint`, `token_type`. */
const DESCRIPTIVE_FIELD =
  /(fingerprint|endpoint|url|uri|type|count|requests|expires_?in|lifetime|ttl|method|param|hint)$/i;

const JWT = /\beyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,4}/g;
// Not the prose of refusals ("the DPoP proof", "Bearer realm", "DPoP authentication scheme").
const AUTH_SCHEME =
  /\b(Bearer|Basic|DPoP)\s+(?!(?:proofs?|authentication|scheme|tokens?|bound|nonce|key|realm|algs|error)\b)([A-Za-z0-9\-._~+/]+=*)/gi;
const SECRET_PARAM = /\b(client_secret|password|access_token|refresh_token)=([^&\s"']+)/gi;

/** A short, stable, non-reversible stand-in for a secret: `sha256:1a2b3c4d`. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/** One cheap look for anything the three patterns below could match; most log text has none. */
const MAYBE_SECRET = /eyJ|bearer|basic|dpop|client_secret|password|access_token|refresh_token/i;

/** Masks JWTs, `Bearer …`/`Basic …` credentials and secret query parameters inside free text. */
export function maskSecretsInText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(AUTH_SCHEME, (_, scheme: string, value: string) => `${scheme} ${fingerprint(value)}`)
    .replace(JWT, (jwt) => fingerprint(jwt))
    .replace(SECRET_PARAM, (_, name: string, value: string) => `${name}=${fingerprint(value)}`);
}

/** Field names repeat endlessly (`status`, `durationMs`…): remember each verdict, up to a bound. */
const fieldVerdicts = new Map<string, boolean>();

export function isSecretField(name: string): boolean {
  let verdict = fieldVerdicts.get(name);
  if (verdict === undefined) {
    verdict = SECRET_FIELD.test(name) && !DESCRIPTIVE_FIELD.test(name);
    if (fieldVerdicts.size < 1_000) fieldVerdicts.set(name, verdict);
  }
  return verdict;
}

const MAX_DEPTH = 8;

function errorToObject(error: Error): Record<string, unknown> {
  const plain: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) plain[key] = value;
  if (error.stack) plain.stack = error.stack;
  if (error.cause !== undefined) plain.cause = error.cause;
  return plain;
}

/**
 * A copy of `value` safe to log: fields with secret-looking names become fingerprints, secrets
 * inside any text are masked, Errors become plain objects (name, message, stack, own fields).
 * An object inside itself becomes `[Circular]`, anything deeper than 8 levels `[Truncated]`.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, []);
}

/**
 * The own enumerable fields of `source`, redacted, copied onto `target`. Under a secret-named
 * field every string is a secret, however deep (`client_secret: ['…']`, `token: { value: '…' }`):
 * `secret` says the walk is inside one.
 */
export function redactFields(
  source: Record<string, unknown>,
  target: Record<string, unknown>,
  ancestors: object[] = [],
  secret = false,
): Record<string, unknown> {
  ancestors.push(source);
  for (const key of Object.keys(source)) {
    target[key] = redactValue(source[key], ancestors, secret || isSecretField(key));
  }
  ancestors.pop();
  return target;
}

/**
 * `ancestors`: the objects the walk is inside of (a cycle is a return to one of them); `secret`:
 * inside a secret-named field, where every string becomes a fingerprint.
 */
function redactValue(value: unknown, ancestors: object[], secret = false): unknown {
  if (typeof value === 'string') return secret ? fingerprint(value) : maskSecretsInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (ancestors.length >= MAX_DEPTH) return '[Truncated]';
  if (Array.isArray(value)) {
    // Lists of words (ids, names) are common and cannot hold a cycle: no bookkeeping for them.
    if (!secret && value.every((item) => typeof item === 'string')) {
      return (value as string[]).map(maskSecretsInText);
    }
    ancestors.push(value);
    const copy = value.map((item: unknown) => redactValue(item, ancestors, secret));
    ancestors.pop();
    return copy;
  }
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (value instanceof Date) return value.toISOString();
  const source = value instanceof Error ? errorToObject(value) : (value as Record<string, unknown>);
  return redactFields(source, {}, ancestors, secret);
}
