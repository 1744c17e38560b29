import { runServer } from '@repo/http';
import { createLogger } from '@repo/logger';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const logger = createLogger({
  service: 'worldmappers-api',
  level: config.LOG_LEVEL,
  format: config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty'),
});
await runServer(createApp({ logger }), { port: config.PORT, logger });
