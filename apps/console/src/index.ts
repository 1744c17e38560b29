import { DEMO_CLIENTS } from '@repo/contracts';
import { runServer } from '@repo/http';
import { createIssuerMetadata } from '@repo/issuer-metadata';
import { createServiceLogger } from '@repo/logger';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { EventHub } from './hub.js';
import { LabRunner, labEnabled } from './lab-runner.js';
import { TokenBook } from './token-book.js';
import { followEvents } from './upstream.js';

const config = loadConfig();
const logger = createServiceLogger('console', config);
const metadata = createIssuerMetadata({ issuer: config.ISSUER_BASE_URL });
const secrets: Record<string, string> = {
  [config.CLIENT_ID]: config.CLIENT_SECRET,
  [DEMO_CLIENTS.giftdeliveries.id]: config.GIFTDELIVERIES_CLIENT_SECRET,
  [DEMO_CLIENTS['store-locator'].id]: config.STORE_LOCATOR_CLIENT_SECRET,
  [DEMO_CLIENTS.storefront.id]: config.STOREFRONT_CLIENT_SECRET,
  [DEMO_CLIENTS['banned-partner'].id]: config.BANNED_PARTNER_CLIENT_SECRET,
};
const book = new TokenBook({ metadata, logger, secretOf: (id) => secrets[id] ?? '' });
const hub = new EventHub();

/** The three streams, each read with the console's own token for that service's audience. */
const sources = [
  {
    service: 'auth-server',
    url: new URL('events', config.ISSUER_BASE_URL).toString(),
    audience: 'urn:auth-server',
  },
  {
    service: 'worldmappers-api',
    url: `${config.WORLDMAPPERS_API_URL}/events`,
    audience: 'urn:worldmappers',
  },
  {
    service: 'giftdeliveries',
    url: `${config.GIFTDELIVERIES_URL}/events`,
    audience: 'urn:giftdeliveries',
  },
];
const stops = sources.map(({ service, url, audience }) =>
  followEvents({
    service,
    url,
    tokens: book.provider(config.CLIENT_ID, audience),
    logger,
    onEvent: (event) => hub.publish({ ...event, service, kind: String(event.kind) }),
    onState: (state, reason) =>
      hub.publish({
        service,
        kind: 'stream',
        state,
        ...(reason ? { reason } : {}),
        time: new Date().toISOString(),
      }),
  }),
);

const lab = new LabRunner({
  enabled: labEnabled(config.LAB_SCENARIOS, config.NODE_ENV),
  endpoints: {
    issuer: config.ISSUER_BASE_URL,
    worldmappers: config.WORLDMAPPERS_API_URL,
    giftdeliveries: config.GIFTDELIVERIES_URL,
  },
  secrets,
});
const app = createApp({
  logger,
  hub,
  book,
  metadata,
  lab,
  urls: {
    issuer: config.ISSUER_BASE_URL,
    'worldmappers-api': config.WORLDMAPPERS_API_URL,
    giftdeliveries: config.GIFTDELIVERIES_URL,
  },
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const stop of stops) stop();
    hub.close();
  });
}
await runServer(app, {
  port: config.PORT,
  logger,
  fields: {
    issuer: config.ISSUER_BASE_URL,
    worldmappers: config.WORLDMAPPERS_API_URL,
    giftdeliveries: config.GIFTDELIVERIES_URL,
  },
});
