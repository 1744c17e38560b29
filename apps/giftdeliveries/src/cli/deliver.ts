#!/usr/bin/env node
/**
 * The "CLI client" use case: a storefront asks giftdeliveries to deliver a gift, with its own
 * client credentials token, and follows the delivery until it is planned.
 *
 *   npm run deliver -- "Kyoto, JP" --recipient Yuki [--gift "a sleigh"] [--origin "Oulu, FI"]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import axios, { type AxiosInstance } from 'axios';
import {
  backoffDelay,
  createApiClient,
  createTokenProvider,
  parseRetryAfter,
  TokenEndpointUnavailableError,
  TokenRequestError,
} from '@repo/token-client';
import { loadConfigOrExit } from '@repo/config';
import type { DeliveryAccepted, DeliveryView } from '@repo/contracts';
import { cliShape } from './cli-config.js';

const USAGE = `Usage: npm run deliver -- <destination> --recipient <name> [options]

Asks giftdeliveries to deliver a gift and follows it until it is planned.

Options:
  -r, --recipient <name>   who receives the gift (required)
  -g, --gift <text>        what it is
  -o, --origin <place>     where it leaves from (default: the service's DEPOT)
  -u, --url <url>          giftdeliveries base URL (default: GIFTDELIVERIES_URL or http://localhost:7002)
  -t, --timeout <seconds>  how long to follow the delivery (default: 120)
      --no-follow          print the id and stop
  -h, --help               this text

Environment: STOREFRONT_CLIENT_ID (storefront), STOREFRONT_CLIENT_SECRET (the dev secret),
GIFTDELIVERIES_URL, GIFTDELIVERIES_AUDIENCE, ISSUER_BASE_URL or AUTH0_DOMAIN, TOKEN_ENDPOINT,
TOKEN_AUTH_METHOD, TOKEN_AUDIENCE_PARAM.

Example: npm run deliver -- "Kyoto, JP" --recipient Yuki --gift "a wooden sleigh"
`;

const out = (text = '') => process.stdout.write(`${text}\n`);
const fail = (message: string, code: number): never => {
  process.stderr.write(`deliver: ${message}\n`);
  process.exit(code);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const km = (value: number) => `${Math.round(value).toLocaleString('en-US')} km`;
const duration = (minutes: number) => {
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  return hours > 0 ? `${hours} h ${String(rest).padStart(2, '0')} min` : `${rest} min`;
};
const placeName = (place: { name: string; country?: string }) =>
  place.country ? `${place.name}, ${place.country}` : place.name;

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        recipient: { type: 'string', short: 'r' },
        gift: { type: 'string', short: 'g' },
        origin: { type: 'string', short: 'o' },
        url: { type: 'string', short: 'u' },
        timeout: { type: 'string', short: 't' },
        'no-follow': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
}

function explainHttpError(error: unknown): string {
  if (error instanceof TokenRequestError || error instanceof TokenEndpointUnavailableError) {
    return error.message;
  }
  if (axios.isAxiosError(error)) {
    if (!error.response)
      return `cannot reach ${error.config?.baseURL ?? 'giftdeliveries'} (${error.code ?? error.message}); is it running (npm start)?`;
    const data = error.response.data as { error?: string; error_description?: string };
    return `giftdeliveries answered HTTP ${error.response.status}${data?.error ? ` ${data.error}` : ''}${data?.error_description ? `: ${data.error_description}` : ''}`;
  }
  return (error as Error).message;
}

/** POSTs with one Idempotency-Key, retrying network errors and 5xx: never two deliveries. */
async function submit(api: AxiosInstance, body: Record<string, string>): Promise<string> {
  const key = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await api.post<DeliveryAccepted>('/deliveries', body, {
        headers: { 'Idempotency-Key': key },
      });
      return res.data.id;
    } catch (error) {
      const transient =
        axios.isAxiosError(error) && (!error.response || error.response.status >= 500);
      if (!transient || attempt >= 3) throw error;
      const retryAfterMs = parseRetryAfter(error.response?.headers['retry-after']);
      await sleep(backoffDelay(attempt, { baseMs: 1_000, maxMs: 8_000, retryAfterMs }));
    }
  }
}

function printRoute(delivery: DeliveryView): void {
  const route = delivery.route;
  if (!route) return;
  out(
    `${placeName(route.from)} → ${placeName(route.to)} by ${route.mode}: ${km(route.distanceKm)}, ${duration(route.durationMinutes)}`,
  );
  const shown = route.steps.slice(0, 15);
  shown.forEach((step, index) => {
    const extra = step.distanceKm !== undefined ? ` (${km(step.distanceKm)})` : '';
    out(`  ${String(index + 1).padStart(2)}. ${step.action}${extra}`);
  });
  if (route.steps.length > shown.length)
    out(`      … ${route.steps.length - shown.length} more steps`);
}

/** How often the delivery is fetched; a terminal's spinner turns faster, between fetches. */
const FOLLOW_POLL_MS = 1_000;
const SPINNER_MS = 250;

async function follow(api: AxiosInstance, id: string, timeoutMs: number): Promise<DeliveryView> {
  const tty = process.stdout.isTTY === true;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const load = async () =>
    (await api.get<DeliveryView>(`/deliveries/${encodeURIComponent(id)}`)).data;
  const started = Date.now();
  let frame = 0;
  let lastLine = '';
  let data = await load();
  for (;;) {
    if (data.status !== 'pending') {
      if (tty) process.stdout.write('\r\u001b[2K');
      return data;
    }
    const waited = Math.round((Date.now() - started) / 1000);
    const line = data.lastError
      ? `pending, attempt ${data.attempts} failed: ${data.lastError}`
      : 'pending, being planned';
    if (tty) {
      process.stdout.write(`\r\u001b[2K${frames[frame++ % frames.length]} ${line} (${waited}s)`);
    } else if (line !== lastLine) {
      out(`… ${line}`);
    }
    lastLine = line;
    if (Date.now() - started > timeoutMs) {
      if (tty) process.stdout.write('\n');
      return data;
    }
    await sleep(tty ? SPINNER_MS : FOLLOW_POLL_MS);
    if (!tty || frame % (FOLLOW_POLL_MS / SPINNER_MS) === 0) data = await load();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parse();
  if (values.help) {
    out(USAGE);
    return;
  }
  const destination = positionals.join(' ').trim();
  if (!destination) fail(`a destination is required\n\n${USAGE}`, 2);
  if (!values.recipient?.trim()) fail(`--recipient is required\n\n${USAGE}`, 2);
  const timeoutSeconds = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    fail('--timeout must be a positive number of seconds', 2);
  }

  const config = loadConfigOrExit(cliShape, { service: 'deliver' });
  const baseURL = values.url ?? config.GIFTDELIVERIES_URL;
  const tokens = createTokenProvider({
    clientId: config.STOREFRONT_CLIENT_ID,
    clientSecret: config.STOREFRONT_CLIENT_SECRET,
    audience: config.GIFTDELIVERIES_AUDIENCE,
    issuerBaseURL: config.ISSUER_BASE_URL,
    tokenEndpoint: config.TOKEN_ENDPOINT,
    authMethod: config.TOKEN_AUTH_METHOD,
    audienceParam: config.TOKEN_AUDIENCE_PARAM,
    variables: {
      clientId: 'STOREFRONT_CLIENT_ID',
      clientSecret: 'STOREFRONT_CLIENT_SECRET',
      audience: 'GIFTDELIVERIES_AUDIENCE',
    },
  });
  const api = createApiClient({ baseURL, tokens });

  try {
    const token = await tokens.getToken();
    out(
      `token for ${config.STOREFRONT_CLIENT_ID} obtained (${token.fingerprint}, scope "${token.scope.join(' ')}", ${token.lifetimeSeconds} s)`,
    );
    const body: Record<string, string> = { recipient: values.recipient!.trim(), destination };
    if (values.gift) body.gift = values.gift;
    if (values.origin) body.origin = values.origin;
    const id = await submit(api, body);
    out(`delivery ${id} accepted: ${values.recipient} in ${destination}`);
    if (values['no-follow']) return;

    const delivery = await follow(api, id, timeoutSeconds * 1000);
    if (delivery.status === 'planned') {
      out(`delivery ${id} planned`);
      printRoute(delivery);
      return;
    }
    if (delivery.status === 'failed') {
      fail(`delivery ${id} failed: ${delivery.failureReason ?? 'no reason given'}`, 1);
    }
    fail(
      `delivery ${id} still pending after ${timeoutSeconds} s (${delivery.lastError ?? 'waiting for the worker'}); it stays queued, check later with GET /deliveries/${id}`,
      3,
    );
  } catch (error) {
    fail(explainHttpError(error), error instanceof TokenRequestError ? 2 : 1);
  }
}

await main();
