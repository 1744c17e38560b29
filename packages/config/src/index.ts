export { z } from 'zod';
export { ConfigError, exitOnConfigError, type ConfigProblem } from './config-error.js';
export { environmentWithDotenv } from './env-file.js';
export { issuerFromAuth0Domain, normalizeIssuer } from './issuer.js';
export { loadConfig, loadConfigOrExit, type LoadConfigOptions } from './load-config.js';
export {
  serviceVars,
  TOKEN_BINDINGS,
  vars,
  type TokenBinding,
  type VariableMeta,
} from './variables.js';
export { describeArgsError, langFromArgv, type CliLang } from './cli-args.js';
