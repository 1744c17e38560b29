export {
  createLogger,
  createServiceLogger,
  type LoggingConfig,
  type LogFormat,
  type LogLevel,
  type Logger,
  type LoggerOptions,
} from './create-logger.js';
export { fingerprint, isSecretField, maskSecretsInText, redact } from './redact.js';
export { addRequestLogFields, requestLogger, type RequestLogLine } from './request-logger.js';
export { escapeControls, escapeJsonControls } from './escape-controls.js';
