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
  createDpopKey,
  createTokenProvider,
  parseRetryAfter,
  TokenEndpointUnavailableError,
  TokenRequestError,
} from '@repo/token-client';
import { describeArgsError, langFromArgv, loadConfigOrExit, type CliLang } from '@repo/config';
import type { DeliveryAccepted, DeliveryView } from '@repo/contracts';
import { loadTokenAuthOrExit } from '../token-auth.js';
import { cliShape } from './cli-config.js';
import { DELIVER_MESSAGES, type DeliverMessages } from './deliver-messages.js';

const out = (text = '') => process.stdout.write(`${text}\n`);
const fail = (message: string, code: number): never => {
  process.stderr.write(`deliver: ${message}\n`);
  process.exit(code);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The messages of the language given with `--lang`, known before parsing so errors use it too. */
const argvLang = langFromArgv(process.argv.slice(2));
let t: DeliverMessages = DELIVER_MESSAGES[argvLang];
const km = (value: number) => `${Math.round(value).toLocaleString('en-US')} km`;
const duration = (minutes: number) => {
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  return hours > 0 ? t.hours(hours, String(rest).padStart(2, '0')) : t.minutes(rest);
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
        lang: { type: 'string', default: 'en' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${describeArgsError(error, argvLang)}\n\n${t.usage}`, 2);
  }
}

function explainHttpError(error: unknown): string {
  if (error instanceof TokenRequestError) {
    return t.tokenRefused(error.code, error.status, error.variables.join('、'), error.message);
  }
  if (error instanceof TokenEndpointUnavailableError) {
    return t.tokenUnavailable(error.attempts, error.status, error.message);
  }
  if (axios.isAxiosError(error)) {
    if (!error.response)
      return t.unreachable(error.config?.baseURL ?? 'giftdeliveries', error.code ?? error.message);
    const data = error.response.data as { error?: string; error_description?: string };
    return t.answered(
      error.response.status,
      `${data?.error ? ` ${data.error}` : ''}${data?.error_description ? `: ${data.error_description}` : ''}`,
    );
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
    t.route(
      placeName(route.from),
      placeName(route.to),
      route.mode,
      km(route.distanceKm),
      duration(route.durationMinutes),
    ),
  );
  const shown = route.steps.slice(0, 15);
  shown.forEach((step, index) => {
    const extra = step.distanceKm !== undefined ? ` (${km(step.distanceKm)})` : '';
    out(`  ${String(index + 1).padStart(2)}. ${step.action}${extra}`);
  });
  if (route.steps.length > shown.length)
    out(`      ${t.moreSteps(route.steps.length - shown.length)}`);
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
    const line = data.lastError ? t.attemptFailed(data.attempts, data.lastError) : t.beingPlanned;
    if (tty) {
      process.stdout.write(
        `\r\u001b[2K${frames[frame++ % frames.length]} ${line} (${t.waited(waited)})`,
      );
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
  if (values.lang !== 'en' && values.lang !== 'ja') {
    return fail(`${t.langInvalid(values.lang)}\n\n${t.usage}`, 2);
  }
  const lang: CliLang = values.lang;
  t = DELIVER_MESSAGES[lang];
  if (values.help) {
    out(t.usage);
    return;
  }
  const destination = positionals.join(' ').trim();
  if (!destination) fail(`${t.destinationRequired}\n\n${t.usage}`, 2);
  if (!values.recipient?.trim()) fail(`${t.recipientRequired}\n\n${t.usage}`, 2);
  const timeoutSeconds = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) fail(t.timeoutInvalid, 2);

  const config = loadConfigOrExit(cliShape, { service: 'deliver', lang });
  const baseURL = values.url ?? config.GIFTDELIVERIES_URL;
  const tokenAuth = await loadTokenAuthOrExit(
    'deliver',
    {
      // A key file makes it private_key_jwt; otherwise the secret, in the service's secret style.
      method: config.STOREFRONT_PRIVATE_KEY_FILE
        ? 'private_key_jwt'
        : config.TOKEN_AUTH_METHOD === 'private_key_jwt'
          ? 'client_secret_post'
          : config.TOKEN_AUTH_METHOD,
      secret: config.STOREFRONT_CLIENT_SECRET,
      keyFile: config.STOREFRONT_PRIVATE_KEY_FILE,
      alg: config.CLIENT_ASSERTION_ALG,
      assertionAudience: config.CLIENT_ASSERTION_AUDIENCE,
      names: {
        method: 'TOKEN_AUTH_METHOD',
        keyFile: 'STOREFRONT_PRIVATE_KEY_FILE',
        alg: 'CLIENT_ASSERTION_ALG',
      },
    },
    lang,
  );
  const tokens = createTokenProvider({
    clientId: config.STOREFRONT_CLIENT_ID,
    ...tokenAuth,
    audience: config.GIFTDELIVERIES_AUDIENCE,
    issuerBaseURL: config.ISSUER_BASE_URL,
    tokenEndpoint: config.TOKEN_ENDPOINT,
    audienceParam: config.TOKEN_AUDIENCE_PARAM,
    // TOKEN_BINDING=dpop: a key pair for this run only, never written anywhere.
    ...(config.TOKEN_BINDING === 'dpop' && { dpop: await createDpopKey() }),
    variables: {
      clientId: 'STOREFRONT_CLIENT_ID',
      clientSecret: 'STOREFRONT_CLIENT_SECRET',
      clientKeyFile: 'STOREFRONT_PRIVATE_KEY_FILE',
      audience: 'GIFTDELIVERIES_AUDIENCE',
    },
  });
  const api = createApiClient({ baseURL, tokens });

  try {
    const token = await tokens.getToken();
    out(
      t.tokenObtained(
        config.STOREFRONT_CLIENT_ID,
        token.fingerprint,
        token.scope.join(' '),
        token.lifetimeSeconds,
      ),
    );
    const body: Record<string, string> = { recipient: values.recipient!.trim(), destination };
    if (values.gift) body.gift = values.gift;
    if (values.origin) body.origin = values.origin;
    const id = await submit(api, body);
    out(t.accepted(id, values.recipient!.trim(), destination));
    if (values['no-follow']) return;

    const delivery = await follow(api, id, timeoutSeconds * 1000);
    if (delivery.status === 'planned') {
      out(t.planned(id));
      printRoute(delivery);
      return;
    }
    if (delivery.status === 'failed') {
      fail(t.failed(id, delivery.failureReason), 1);
    }
    fail(t.stillPending(id, timeoutSeconds, delivery.lastError), 3);
  } catch (error) {
    fail(explainHttpError(error), error instanceof TokenRequestError ? 2 : 1);
  }
}

await main();
