import { resolve } from 'node:path';
import { ConfigError, exitOnConfigError, type CliLang, type ConfigProblem } from '@repo/config';
import {
  ClientKeyError,
  loadClientKey,
  type ClientAssertionAlg,
  type ClientKey,
  type TokenAuthMethod,
} from '@repo/token-client';

/** How a client authenticates at the token endpoint, once its settings are checked. */
export interface TokenAuth {
  authMethod: TokenAuthMethod;
  /** The secret methods only. */
  clientSecret?: string;
  /** `private_key_jwt` only: the private key, loaded and checked. */
  clientKey?: ClientKey;
  assertionAudience?: 'token_endpoint' | 'issuer';
}

export interface TokenAuthInput {
  method: TokenAuthMethod;
  secret: string;
  keyFile: string | undefined;
  alg: ClientAssertionAlg;
  assertionAudience?: 'token_endpoint' | 'issuer';
  /** The variables behind each value, for the messages. */
  names: { method: string; keyFile: string; alg: string };
  cwd?: string;
}

/**
 * The token-endpoint authentication of a client (RFC 6749 §2.3.1, or RFC 7523's
 * `private_key_jwt`): for `private_key_jwt` the key file is required, read and checked now (it
 * exists, is a private key, and fits the algorithm), and no secret is needed.
 * @throws ConfigError naming the variable (never the key or the secret).
 */
export async function loadTokenAuth(service: string, input: TokenAuthInput): Promise<TokenAuth> {
  if (input.method !== 'private_key_jwt') {
    return { authMethod: input.method, clientSecret: input.secret };
  }
  const problem = (variable: string, message: string, ja?: string): never => {
    throw new ConfigError(service, [{ variable, message, ja } satisfies ConfigProblem]);
  };
  if (!input.keyFile) {
    problem(
      input.names.keyFile,
      `is required when ${input.names.method}=private_key_jwt: the path of the client's private key (PEM or JWK), e.g. from npm run keys:client`,
      `${input.names.method}=private_key_jwt のときは必須です。クライアントの秘密鍵（PEM か JWK）のパスを指定してください（例：npm run keys:client で作ったもの）`,
    );
  }
  try {
    const clientKey = await loadClientKey(
      resolve(input.cwd ?? process.cwd(), input.keyFile!),
      input.alg,
    );
    return { authMethod: 'private_key_jwt', clientKey, assertionAudience: input.assertionAudience };
  } catch (error) {
    if (!(error instanceof ClientKeyError)) throw error;
    const variable = /cannot sign|unsupported algorithm/.test(error.message)
      ? `${input.names.keyFile} / ${input.names.alg}`
      : input.names.keyFile;
    return problem(variable, error.message, `秘密鍵を使えません（${error.message}）`);
  }
}

/** {@link loadTokenAuth}, or the problem printed in `lang` and exit status 78 (EX_CONFIG). */
export async function loadTokenAuthOrExit(
  service: string,
  input: TokenAuthInput,
  lang: CliLang = 'en',
): Promise<TokenAuth> {
  try {
    return await loadTokenAuth(service, input);
  } catch (error) {
    return exitOnConfigError(error, lang);
  }
}
