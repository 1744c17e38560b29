/**
 * The timeline as a sequence: which lane (client, authorization server, resource server) each
 * event's request leaves and reaches, and the raw exchange as text. Pure: the page draws it.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** 0: the client, 1: the authorization server, 2: the resource server. */
export type Lane = 0 | 1 | 2;

export interface Arrow {
  from: Lane;
  to: Lane;
  /** Who is in the client lane (`giftdeliveries`, `store-locator`…) and which service answers. */
  caller: string;
  callee: string;
  /** On the request arrow: `POST /oauth/token`. */
  request: string;
  /** On the answer arrow: `200`, `401 invalid_token`; empty for a state change (no answer). */
  response: string;
}

/** `eyJhbGciOi…(812)…Xk3Q`: the lab's short form, enough to recognise a token, not to use it. */
export function shortToken(token: string): string {
  if (token.length <= 24) return token;
  return `${token.slice(0, 12)}…(${token.length})…${token.slice(-6)}`;
}

/** Any JWT-looking string shortened (the services send fingerprints already: belt and braces). */
export const shortenTokens = (text: string) =>
  text.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, (token) => shortToken(token));

const pathOf = (url: unknown) => String(url ?? '').split('?')[0] ?? '';

/** The arrow of one event, or undefined for events that are not an exchange or a change. */
export function arrowOf(event: Json): Arrow | undefined {
  const fields: Json = event.fields ?? {};
  const exchange: Json | undefined = event.exchange;
  const status = fields.status ?? exchange?.response?.status;
  if (event.kind === 'token') {
    const body: Json = exchange?.request?.body ?? {};
    const answer: Json = exchange?.response?.body ?? {};
    return {
      from: 0,
      to: 1,
      caller: String(body.client_id ?? fields.clientId ?? 'client'),
      callee: 'auth-server',
      request: `${exchange?.request?.method ?? 'POST'} ${pathOf(exchange?.request?.url ?? fields.path)}`,
      response: `${status ?? ''}${answer.error ? ` ${answer.error}` : ''}`.trim(),
    };
  }
  if (event.kind === 'api') {
    // The error code the API answered (its body), not the sentence after it.
    const error = exchange?.response?.body?.error ?? fields.reason;
    return {
      from: 0,
      to: 2,
      caller: String(fields.clientId ?? 'client'),
      callee: String(event.service),
      request: `${exchange?.request?.method ?? fields.method ?? 'GET'} ${pathOf(exchange?.request?.url ?? fields.path ?? fields.route)}`,
      response: `${status ?? ''}${typeof error === 'string' ? ` ${error}` : ''}`.trim(),
    };
  }
  // A state change stays on its own lane: a delivery in its client (giftdeliveries plans it as a
  // client of the API), a key change in the authorization server.
  if (event.kind === 'delivery') {
    return {
      from: 0,
      to: 0,
      caller: 'giftdeliveries',
      callee: 'giftdeliveries',
      request: String(event.message ?? ''),
      response: '',
    };
  }
  if (event.kind === 'keys') {
    return {
      from: 1,
      to: 1,
      caller: 'auth-server',
      callee: 'auth-server',
      request: String(event.message ?? ''),
      response: '',
    };
  }
  return undefined;
}

const headerLines = (headers: Json | undefined) =>
  Object.entries(headers ?? {}).map(([name, value]) => `${name}: ${String(value)}`);
const bodyText = (body: unknown) =>
  body === undefined ? [] : ['', typeof body === 'string' ? body : JSON.stringify(body, null, 2)];

/** The raw request and response as HTTP-like text, tokens shortened. */
export function rawExchange(exchange: Json | undefined): { request: string; response: string } {
  if (!exchange) return { request: '', response: '' };
  const request = [
    `${exchange.request?.method ?? ''} ${exchange.request?.url ?? ''}`,
    ...headerLines(exchange.request?.headers),
    ...bodyText(exchange.request?.body),
  ].join('\n');
  const response = [
    `HTTP ${exchange.response?.status ?? ''}`,
    ...headerLines(exchange.response?.headers),
    ...bodyText(exchange.response?.body),
  ].join('\n');
  return { request: shortenTokens(request), response: shortenTokens(response) };
}
