import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { inspectErrorText, MESSAGES, reasonText, type Lang, type MessageKey } from './i18n.js';
import type { Reason } from '../src/reasons.js';
import { keyRows } from './keys-view.js';
import { messageIn, rowText } from './timeline-text.js';
import { deliveryMarks } from './map-marks.js';
import { arrowOf, rawExchange, type Arrow } from './sequence.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let lang: Lang =
  (localStorage.getItem('lang') as Lang | null) ??
  (navigator.language.startsWith('ja') ? 'ja' : 'en');
const t = (key: MessageKey) => MESSAGES[lang][key];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = (tag: string, props: Json = {}, ...children: (Node | string)[]) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'i18n') node.dataset.i18n = value;
    else if (name in node) (node as unknown as Json)[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
};
/** A translated text node's holder: re-rendered when the language changes. */
const tr = (key: MessageKey, tag = 'span') => el(tag, { i18n: key, textContent: t(key) });
/** A text in both languages (made from data, not the dictionary): switched with the others. */
const both = (text: (lang: Lang) => string, tag = 'span', props: Json = {}) => {
  const node = el(tag, { ...props, textContent: text(lang) });
  node.dataset.en = text('en');
  node.dataset.ja = text('ja');
  return node;
};

/** The colon after a label: full-width after Japanese. */
const colon = () => both((lang) => (lang === 'ja' ? '：' : ': '));

function applyLanguage(): void {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    node.textContent = t(node.dataset.i18n as MessageKey);
  }
  for (const node of document.querySelectorAll<HTMLElement>('[data-ja]')) {
    node.textContent = node.dataset[lang] ?? '';
  }
  document.title = t('title');
}
$('lang').addEventListener('click', () => {
  lang = lang === 'en' ? 'ja' : 'en';
  localStorage.setItem('lang', lang);
  applyLanguage();
});

const post = async (url: string, body: unknown = {}) =>
  (
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).json() as Promise<Json>;
const get = async (url: string) => (await fetch(url)).json() as Promise<Json>;

// ---------------------------------------------------------------- timeline
const streams: Record<string, string> = {};
const KIND_LABEL: Record<string, MessageKey> = {
  token: 'tokenRequest',
  api: 'apiCall',
  delivery: 'delivery',
  keys: 'keyChange',
  cache: 'cacheEvent',
};

/** The request arrow and its answer across the three lanes (or a dot on one), drawn by CSS. */
function sequenceOf(arrow: Arrow): HTMLElement {
  const box = el('div', { className: 'seq', 'aria-hidden': 'true' });
  box.dataset.from = String(arrow.from);
  box.dataset.to = String(arrow.to);
  if (arrow.from === arrow.to) {
    box.append(
      both((lang) => messageIn(arrow.request, lang), 'span', {
        className: `dot lane-${arrow.from}`,
      }),
    );
    return box;
  }
  box.append(
    el(
      'span',
      { className: `arrow req span-${arrow.from}-${arrow.to}` },
      `${arrow.caller}: ${arrow.request}`,
    ),
    el(
      'span',
      { className: `arrow res span-${arrow.from}-${arrow.to}` },
      `${arrow.callee}: ${arrow.response}`,
    ),
  );
  return box;
}

function addToTimeline(event: Json): void {
  const text = rowText(event);
  const { tone, fingerprint } = text;
  const time = String(event.time ?? '').slice(11, 23);
  const arrow = arrowOf(event);
  const raw = rawExchange(event.exchange);
  const details = el(
    'div',
    { hidden: true, className: 'raw' },
    ...(event.exchange
      ? [
          tr('rawRequest', 'h4'),
          el('pre', { className: 'raw-request', textContent: raw.request }),
          tr('rawResponse', 'h4'),
          el('pre', { className: 'raw-response', textContent: raw.response }),
        ]
      : [el('pre', { textContent: JSON.stringify(event.fields ?? {}, null, 2) })]),
  );
  const row = el(
    'button',
    { className: `row ${tone}`, type: 'button', 'aria-expanded': 'false' },
    `${time} `,
    el('span', {
      className: 'kind',
      i18n: KIND_LABEL[event.kind] ?? 'apiCall',
      textContent: t(KIND_LABEL[event.kind] ?? 'apiCall'),
    }),
    ' ',
    text.en === text.ja ? text.en : both((lang) => text[lang], 'span', { className: 'summary' }),
    ...(arrow ? [sequenceOf(arrow)] : []),
  );
  row.addEventListener('click', () => {
    details.hidden = !details.hidden;
    row.setAttribute('aria-expanded', String(!details.hidden));
  });
  const item = el('li', { className: `event-${event.kind}` }, row, details);
  item.dataset.status = String(event.fields?.status ?? '');
  item.dataset.kind = event.kind;
  if (fingerprint) {
    const pick = el('button', {
      type: 'button',
      className: 'pick',
      i18n: 'pick',
      textContent: t('pick'),
    });
    pick.addEventListener('click', () => {
      ($('token-input') as HTMLTextAreaElement).value = fingerprint;
      $('token-input').focus();
    });
    item.append(pick);
  }
  const list = $('timeline');
  list.prepend(item);
  while (list.children.length > 300) list.lastElementChild!.remove();
}

function onEvent(event: Json): void {
  if (event.kind === 'stream') {
    streams[event.service] = event.state;
    renderStreams();
    return;
  }
  if (event.kind === 'cache') return renderCache(event.fields);
  addToTimeline(event);
  if (event.kind === 'keys') void loadKeys();
  if (event.kind === 'delivery') void loadDeliveries();
}

function renderStreams(): void {
  $('streams').replaceChildren(
    ...Object.entries(streams).map(([service, state]) =>
      el(
        'span',
        { className: state === 'connected' ? 'ok' : 'warn' },
        service,
        colon(),
        tr(state === 'connected' ? 'connected' : 'disconnected'),
        ' ',
      ),
    ),
  );
}

// ---------------------------------------------------------------- inspector
const CLAIM_HELP: Record<string, MessageKey> = {
  typ: 'typ',
  alg: 'alg',
  kid: 'kid',
  iss: 'iss',
  sub: 'sub',
  client_id: 'client_id',
  aud: 'aud',
  scope: 'scopeClaim',
  iat: 'iat',
  exp: 'exp',
  jti: 'jti',
  cnf: 'cnf',
};
const claimLines = (title: MessageKey, object: Json) =>
  el(
    'div',
    {},
    tr(title, 'h3'),
    el(
      'dl',
      {},
      ...Object.entries(object).flatMap(([name, value]) => [
        el(
          'dt',
          {},
          `${name}: ${typeof value === 'number' && (name === 'exp' || name === 'iat') ? `${value} (${new Date(value * 1000).toISOString()})` : JSON.stringify(value)}`,
        ),
        el('dd', {}, CLAIM_HELP[name] ? tr(CLAIM_HELP[name]) : ''),
      ]),
    ),
  );

async function inspect(): Promise<void> {
  const token = ($('token-input') as HTMLTextAreaElement).value.trim();
  const route = ($('route-select') as HTMLSelectElement).value;
  const result = await post('/api/inspect', { token, route });
  const box = $('inspection');
  if (result.error_description || result.error) {
    box.replaceChildren(both((lang) => inspectErrorText(result, lang), 'p', { className: 'deny' }));
    return;
  }
  box.replaceChildren(
    el(
      'ul',
      { className: 'checks' },
      ...result.checks.map((check: Json) =>
        el(
          'li',
          { className: `check ${check.ok ? 'pass' : 'fail'}` },
          tr(check.name),
          colon(),
          tr(check.ok ? 'passed' : 'failed'),
          ' — ',
          both((lang) => reasonText(check as Reason, lang), 'span', { className: 'reason' }),
        ),
      ),
    ),
    el(
      'p',
      { className: result.verdict.status === 200 ? 'ok' : 'deny' },
      tr('verdict'),
      colon(),
      `${result.verdict.status} ${result.verdict.error ?? ''}`,
    ),
    claimLines('header', result.header ?? {}),
    claimLines('claimHelp', result.claims ?? {}),
  );
  box
    .querySelectorAll('li.check')
    .forEach((li, i) => ((li as HTMLElement).dataset.check = result.checks[i].name));
}
$('inspect').addEventListener('click', () => void inspect());

// ---------------------------------------------------------------- keys, cache
async function loadKeys(): Promise<void> {
  const keys = await get('/api/keys');
  const rows = keyRows(
    keys.keys.map((key: Json) => String(key.kid)),
    keys.signingKid,
    keys.retiredUntil,
  );
  const byKid = new Map<string, Json>(keys.keys.map((key: Json) => [key.kid, key]));
  $('keys').replaceChildren(
    el('p', { className: 'hint' }, String(keys.jwksUri ?? '')),
    el(
      'ul',
      {},
      ...rows.map((row) => {
        const key = byKid.get(row.kid) ?? {};
        const item = el(
          'li',
          { className: row.state === 'signing' ? 'ok' : 'warn' },
          `${row.kid} (${key.kty} ${key.alg ?? ''}) — `,
          tr(row.state === 'signing' ? 'signsNow' : row.until ? 'retiredUntil' : 'retired'),
          ...(row.until ? [' ', el('time', { dateTime: row.until, textContent: row.until })] : []),
        );
        item.dataset.kid = row.kid;
        item.dataset.state = row.state;
        if (row.until) item.dataset.until = row.until;
        return item;
      }),
    ),
  );
  $('keys').dataset.kids = keys.keys.map((key: Json) => key.kid).join(' ');
}

let cacheState: Json | undefined;
function renderCache(state: Json = cacheState ?? {}): void {
  cacheState = state;
  const box = $('cache');
  if (!state.tokenFingerprint) {
    box.replaceChildren(tr('noToken', 'p'));
    return;
  }
  const now = Date.now();
  const obtained = Date.parse(state.obtainedAt);
  const expires = Date.parse(state.expiresAt);
  const left = Math.max(0, Math.min(1, (expires - now) / (expires - obtained)));
  box.replaceChildren(
    el(
      'p',
      {},
      `${state.clientId} → ${state.audience}  ${state.tokenFingerprint}  "${state.scope}"`,
    ),
    el(
      'div',
      { className: 'bar', role: 'progressbar', 'aria-valuenow': String(Math.round(left * 100)) },
      el('span', { style: `width:${left * 100}%` }),
    ),
    el(
      'p',
      {},
      tr('expiresAt'),
      colon(),
      `${state.expiresAt} `,
      both((lang) => {
        const seconds = Math.round((expires - now) / 1000);
        return lang === 'ja' ? `（あと ${seconds} 秒）` : `(${seconds} s)`;
      }),
      ' · ',
      tr('renewsAt'),
      colon(),
      state.renewAt,
    ),
    el('p', {}, tr('requestsServed'), colon(), `${state.tokenRequests} / ${state.tokensServed}`),
  );
}
setInterval(() => cacheState && renderCache(), 1_000);

// ---------------------------------------------------------------- try it
async function loadCatalog(): Promise<void> {
  const catalog = await get('/api/catalog');
  $('route-select').replaceChildren(
    ...catalog.routes.map((route: Json) =>
      el('option', {
        value: route.id,
        textContent: `${route.method} ${route.path.split('?')[0]} (${route.scope})`,
      }),
    ),
  );
  const head = el(
    'tr',
    {},
    el('th', {}, tr('client')),
    ...catalog.routes.map((route: Json) =>
      el('th', { textContent: `${route.method} ${route.path.split('?')[0]}` }),
    ),
  );
  const rows = catalog.clients.map((client: string) =>
    el(
      'tr',
      {},
      el('th', { textContent: client }),
      ...catalog.routes.map((route: Json) => {
        const cell = el('button', {
          type: 'button',
          textContent: '▶',
          'aria-label': `${client} ${route.method} ${route.path}`,
        });
        cell.addEventListener('click', async () => {
          const result = await post('/api/try', { client, route: route.id });
          cell.textContent = result.status ? String(result.status) : '✘';
          $('try-result').textContent =
            `${client} ${route.method} ${route.path} → ${result.status || ''} ${result.headers?.['www-authenticate'] ?? result.error ?? ''}`;
        });
        return el('td', {}, cell);
      }),
    ),
  );
  $('matrix').replaceChildren(head, ...rows);
}

// ---------------------------------------------------------------- the lab's scenarios
async function loadLab(): Promise<void> {
  const lab = await get('/api/lab');
  const box = $('lab');
  if (lab.state !== 'ready') {
    box.replaceChildren(tr(lab.state === 'off' ? 'labOff' : 'labUnavailable', 'p'));
    return;
  }
  const buttons = lab.scenarios.map((scenario: Json) => {
    const button = el('button', {
      type: 'button',
      id: `lab-${scenario.number}`,
      textContent: `${scenario.number}. ${scenario.title[lang]}`,
    });
    button.dataset.en = `${scenario.number}. ${scenario.title.en}`;
    button.dataset.ja = `${scenario.number}. ${scenario.title.ja}`;
    button.addEventListener('click', async () => {
      for (const other of buttons) other.disabled = true;
      const result = $('lab-result');
      result.dataset.outcome = 'running';
      result.replaceChildren(tr('labRunning'), ` ${button.textContent}`);
      try {
        const run = await post(`/api/lab/${scenario.number}`, { lang });
        result.dataset.outcome = run.outcome ?? 'error';
        result.replaceChildren(
          `${button.textContent}: `,
          run.outcome
            ? tr(
                run.outcome === 'pass' ? 'labPass' : run.outcome === 'fail' ? 'labFail' : 'labSkip',
              )
            : String(run.error_description ?? run.error ?? ''),
        );
        $('lab-output').textContent = run.output ?? '';
      } finally {
        for (const other of buttons) other.disabled = false;
        button.focus();
      }
    });
    return button;
  });
  box.replaceChildren(...buttons);
}

// ---------------------------------------------------------------- map
// The countries are projected once, when the page is built (scripts/build-web.mjs): the page
// gets their path and the projection's scale and translation, and projects only the routes.
const projection = geoNaturalEarth1().scale(WORLD_MAP.scale).translate(WORLD_MAP.translate);
const path = geoPath(projection);
const SVG = 'http://www.w3.org/2000/svg';
const svgEl = (tag: string, attrs: Record<string, string>) => {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
};
const svg = svgEl('svg', { viewBox: '0 0 960 480', role: 'img', 'aria-labelledby': 'map-h' });
svg.append(svgEl('path', { class: 'land', d: WORLD_MAP.land }));
const overlay = svgEl('g', { class: 'overlay' });
svg.append(overlay);
$('map').append(svg);

async function loadDeliveries(): Promise<void> {
  const answer = await get('/api/deliveries');
  const deliveries: Json[] = answer.body?.deliveries ?? [];
  overlay.replaceChildren();
  const { routes, waiting } = deliveryMarks(deliveries);
  const { waiting: waitingJa } = deliveryMarks(
    deliveries,
    (status) => MESSAGES.ja[status === 'failed' ? 'failedDelivery' : 'pending'],
  );
  for (const route of routes) {
    overlay.append(
      svgEl('path', { class: 'route', d: path(route.line) ?? '', 'data-id': route.id }),
    );
    const [x, y] = projection(route.to) ?? [0, 0];
    overlay.append(svgEl('circle', { class: 'planned', cx: String(x), cy: String(y), r: '3' }));
  }
  // Pending and failed ones at their origin, side by side (they have no place of their own yet).
  for (const [i, mark] of waiting.entries()) {
    if (!mark.at) continue;
    const [x, y] = projection(mark.at) ?? [0, 0];
    const node = svgEl('circle', {
      class: `mark ${mark.status}`,
      cx: String(x + 9 * (mark.slot + 1)),
      cy: String(y),
      r: '4',
      'data-id': mark.id,
    });
    const titles = { en: mark.title, ja: waitingJa[i]!.title };
    const title = Object.assign(document.createElementNS(SVG, 'title'), {
      textContent: titles[lang],
    });
    Object.assign(title.dataset, titles);
    node.append(title);
    overlay.append(node);
  }
  $('deliveries').replaceChildren(
    ...deliveries.map((delivery) =>
      el(
        'li',
        {
          className:
            delivery.status === 'failed' ? 'deny' : delivery.status === 'pending' ? 'warn' : 'ok',
        },
        `${delivery.recipient} — ${delivery.destination}: `,
        tr(delivery.status === 'failed' ? 'failedDelivery' : delivery.status),
      ),
    ),
  );
}
$('delivery-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void post('/api/deliveries', {
    recipient: ($('recipient') as HTMLInputElement).value,
    destination: ($('destination') as HTMLInputElement).value,
  }).then(() => loadDeliveries());
});

// ---------------------------------------------------------------- start
applyLanguage();
$('timeline').append(el('li', { className: 'waiting' }, tr('waiting')));
const source = new EventSource('/api/stream');
source.onmessage = (message) => {
  document.querySelector('#timeline .waiting')?.remove();
  onEvent(JSON.parse(message.data) as Json);
};
void loadCatalog();
void loadLab();
void loadKeys();
void loadDeliveries();
performance.mark('console-rendered');
