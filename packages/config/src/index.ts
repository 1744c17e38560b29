export { z } from 'zod';
export { ConfigError, type ConfigProblem } from './config-error.js';
export { environmentWithDotenv, findRepositoryRoot } from './env-file.js';
export { issuerFromAuth0Domain, normalizeIssuer } from './issuer.js';
export { loadConfig, loadConfigOrExit, type LoadConfigOptions } from './load-config.js';
export { describe, metaOf, serviceVars, vars, type VariableMeta } from './variables.js';
