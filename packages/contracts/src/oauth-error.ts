import { z } from 'zod';

/**
 * The JSON error body every service of the demo answers with: an RFC 6749 error code and a
 * sentence for people. Resource servers use the same body beside their `WWW-Authenticate`
 * header (RFC 6750 §3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export const oauthErrorSchema = z.strictObject({
  /** The error code: `invalid_request`, `invalid_token`, `not_found`, `no_route`… */
  error: z.string().min(1),
  /** What went wrong, for a person reading it. */
  error_description: z.string(),
});

/** An error body: `{error, error_description}`. */
export type OAuthError = z.infer<typeof oauthErrorSchema>;
