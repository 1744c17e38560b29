export { createBaseApp } from './create-base-app.js';
export { errorHandler, notFoundHandler } from './error-handler.js';
export { HttpError, invalidRequest, notFound } from './http-error.js';
export { runServer, type RunServerOptions, type RunningServer } from './run-server.js';
export { createAppServer } from './app-server.js';
