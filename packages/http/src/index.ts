export { createBaseApp } from './create-base-app.js';
export { errorHandler, notFoundHandler } from './error-handler.js';
export {
  HttpError,
  invalidRequest,
  notFound,
  retryAfterSeconds,
  type HttpErrorOptions,
} from './http-error.js';
export { parseBody } from './parse-body.js';
export {
  readinessHandler,
  type CheckResult,
  type ReadinessCheck,
  type ReadinessOptions,
} from './readiness.js';
export { runServer, type RunServerOptions, type RunningServer } from './run-server.js';
export { createAppServer } from './app-server.js';
