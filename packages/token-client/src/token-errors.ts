/**
 * The names of the settings a person would change to fix a refused token request. The token
 * provider serves several clients (the service, the CLI, benchmarks), each configured by its own
 * variables, so the words come from the caller.
 */
export interface TokenVariableNames {
  clientId: string;
  clientSecret: string;
  /** The private key file of a `private_key_jwt` client. */
  clientKeyFile: string;
  audience: string;
  scope: string;
  tokenEndpoint: string;
  issuer: string;
  authMethod: string;
  audienceParam: string;
  tokenBinding: string;
}

export const DEFAULT_VARIABLE_NAMES: TokenVariableNames = {
  clientId: 'CLIENT_ID',
  clientSecret: 'CLIENT_SECRET',
  clientKeyFile: 'CLIENT_PRIVATE_KEY_FILE',
  audience: 'AUDIENCE',
  scope: 'the requested scope',
  tokenEndpoint: 'TOKEN_ENDPOINT',
  issuer: 'ISSUER_BASE_URL',
  authMethod: 'TOKEN_AUTH_METHOD',
  audienceParam: 'TOKEN_AUDIENCE_PARAM',
  tokenBinding: 'TOKEN_BINDING',
};

/**
 * The authorization server refused to issue a token (RFC 6749 §5.2,
 * https://www.rfc-editor.org/rfc/rfc6749#section-5.2, and RFC 8707 `invalid_target`). Retrying
 * will not help; the message names the variables to fix. `variables` lists them for programs.
 */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  /** Never worth retrying soon: the provider remembers it for a cool-down. */
  readonly retryable = false;

  constructor(
    /** The OAuth error code, e.g. `invalid_client`, or `token_endpoint_error` for a non-OAuth refusal. */
    readonly code: string,
    message: string,
    /** The variables a person should check, in order of likelihood. */
    readonly variables: readonly string[],
    /** The HTTP status of the refusal, if there was one. */
    readonly status?: number,
    /** The server's own `error_description`, if any. */
    readonly description?: string,
  ) {
    super(message);
  }
}

/**
 * The token endpoint (or the discovery document) could not be reached or kept failing (network
 * error, timeout, 5xx, 429) after every retry. Transient: callers may try again later.
 */
export class TokenEndpointUnavailableError extends Error {
  override readonly name = 'TokenEndpointUnavailableError';
  readonly retryable = true;

  constructor(
    message: string,
    /** How many HTTP attempts were made. */
    readonly attempts: number,
    /** The last HTTP status, if any answer came. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Words for a refusal: what went wrong and which variables to look at. */
export function explainRefusal(
  code: string,
  names: TokenVariableNames,
  context: {
    clientId: string;
    audience: string;
    scope?: string | undefined;
    authMethod?: string | undefined;
  },
): { message: string; variables: string[] } {
  const who = `client "${context.clientId}"`;
  const api = `API "${context.audience}"`;
  switch (code) {
    case 'invalid_client':
      if (context.authMethod === 'private_key_jwt') {
        return {
          message: `the authorization server does not accept the signed assertion of ${who}: check ${names.clientId}, that the public key of ${names.clientKeyFile} is registered for that client (its kid), and ${names.authMethod}`,
          variables: [names.clientId, names.clientKeyFile, names.authMethod],
        };
      }
      return {
        message: `the authorization server does not accept the credentials of ${who}: check ${names.clientId} and ${names.clientSecret} (and ${names.authMethod} if the server only allows one client authentication method)`,
        variables: [names.clientId, names.clientSecret, names.authMethod],
      };
    case 'unauthorized_client':
      return {
        message: `${who} may not use the client credentials grant: allow it on the authorization server, or check ${names.clientId}`,
        variables: [names.clientId],
      };
    case 'access_denied':
      return {
        message: `the authorization server denies ${who} access to ${api} (disabled client, or not authorized for that API): check ${names.clientId} and ${names.audience}`,
        variables: [names.clientId, names.audience],
      };
    case 'invalid_target':
      return {
        message: `the authorization server does not know ${api} or has not granted it to ${who}: check ${names.audience} (and ${names.audienceParam}: "audience" for Auth0, "resource" for Logto)`,
        variables: [names.audience, names.audienceParam],
      };
    case 'invalid_scope':
      return {
        message: `${who} is not granted the scope "${context.scope ?? ''}" for ${api}: check ${names.scope} and ${names.audience}, and the client's grants on the authorization server`,
        variables: [names.scope, names.audience],
      };
    case 'unsupported_grant_type':
    case 'invalid_grant':
      return {
        message: `the authorization server refuses the client credentials grant for ${who}: check ${names.tokenEndpoint} / ${names.issuer} point at the right server`,
        variables: [names.tokenEndpoint, names.issuer],
      };
    case 'invalid_request':
      return {
        message: `the authorization server finds the token request for ${who} malformed: check ${names.authMethod}, ${names.audienceParam} and ${names.audience}`,
        variables: [names.authMethod, names.audienceParam, names.audience],
      };
    case 'dpop_not_issued':
      return {
        message: `the authorization server answered a DPoP token request for ${who} with a token that is not DPoP-bound: it does not support DPoP (RFC 9449) for this client or API; enable DPoP there, or set ${names.tokenBinding}=none`,
        variables: [names.tokenBinding, names.issuer],
      };
    case 'invalid_dpop_proof':
    case 'use_dpop_nonce':
      return {
        message: `the authorization server refuses the DPoP proof of ${who}: check the clock of this machine and ${names.tokenEndpoint} / ${names.issuer} (the proof names the exact token endpoint URL), or set ${names.tokenBinding}=none`,
        variables: [names.tokenBinding, names.tokenEndpoint, names.issuer],
      };
    default:
      return {
        message: `the token endpoint refused the request for ${who}: check ${names.tokenEndpoint} and ${names.issuer}`,
        variables: [names.tokenEndpoint, names.issuer],
      };
  }
}
