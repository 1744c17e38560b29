import type { Lang } from './i18n.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One timeline row's words: the same in both languages unless `ja` differs. Pure. */
export interface RowText {
  en: string;
  ja: string;
  tone: 'ok' | 'deny' | 'warn' | '';
  /** The fingerprint (`sha256:…`) of the row's token, for the inspector. */
  fingerprint?: string;
}

/** The services' log messages that become timeline rows, in Japanese (English: as logged). */
const MESSAGES_JA: Readonly<Record<string, string>> = {
  'delivery planned': '配送を計画しました',
  'delivery failed': '配送に失敗しました',
  'delivery planning postponed': '配送の計画を延期しました',
  'sample deliveries enqueued (empty store, development)':
    'サンプルの配送を登録しました（ストアが空、開発モード）',
  'signing keys changed': '署名鍵が変わりました',
  'created a signing key': '署名鍵を作成しました',
};

/** A service's log message in the page's language. */
export const messageIn = (message: string, lang: Lang) =>
  lang === 'ja' ? (MESSAGES_JA[message] ?? message) : message;

/** What a timeline row says of one audit event; protocol names and values stay as sent. */
export function rowText(event: Json): RowText {
  const f = event.fields ?? {};
  const ex = event.exchange;
  if (event.kind === 'token') {
    const req = ex?.request?.body ?? {};
    const res = ex?.response?.body ?? {};
    const basic = /^Basic /.test(ex?.request?.headers?.authorization ?? '');
    const client = req.client_id ?? (basic ? '(basic)' : '?');
    const method = basic
      ? 'client_secret_basic'
      : req.client_secret
        ? 'client_secret_post'
        : 'none';
    const audience = req.audience ?? req.resource ?? '';
    const outcome =
      f.status === 200
        ? `${f.status} scope="${res.scope ?? ''}"`
        : `${f.status} ${res.error ?? ''} ${res.error_description ?? ''}`;
    const asked = `"${req.scope ?? ''}"`;
    const line = (words: string) =>
      `${client} → auth-server  ${method}  ${audience} ${words}  ${outcome}`;
    return {
      en: line(`asked=${asked}`),
      ja: line(`要求したスコープ=${asked}`),
      tone: f.status === 200 ? 'ok' : 'deny',
      ...(typeof res.access_token === 'string' ? { fingerprint: res.access_token } : {}),
    };
  }
  if (event.kind === 'api') {
    const challenge = ex?.response?.headers?.['www-authenticate'];
    const auth = ex?.request?.headers?.authorization as string | undefined;
    // The refusal's reason is `code: description`; the description is the API's English words,
    // which the challenge also carries: in Japanese the row keeps only the code.
    const reason = f.reason === undefined ? '' : String(f.reason);
    const line = (why: string) =>
      `${f.clientId ?? '?'} → ${event.service}  ${f.route}  [${f.requiredScopes ?? ''}]  ${f.status}${why ? ` ${why}` : ''}${challenge ? `  WWW-Authenticate: ${challenge}` : ''}`;
    return {
      en: line(reason),
      ja: line(reason.split(': ')[0]!),
      tone: f.status < 400 ? 'ok' : 'deny',
      ...(auth?.startsWith('Bearer sha256:') ? { fingerprint: auth.slice(7) } : {}),
    };
  }
  const message = String(event.message ?? '');
  if (event.kind === 'delivery') {
    const where = f.route ?? f.destination ?? '';
    const reason = f.reason === undefined ? '' : String(f.reason);
    return {
      en: `giftdeliveries  ${message}  ${where}${reason ? ` ${reason}` : ''}`,
      ja: `giftdeliveries  ${messageIn(message, 'ja')}  ${where}${reason ? ` 理由：${reason}` : ''}`,
      tone: message === 'delivery planned' ? 'ok' : 'warn',
    };
  }
  if (event.kind === 'keys') {
    const signing = f.signing_kid ?? f.kid ?? '';
    const published = (f.published_kids ?? []).join(',');
    return {
      en: `auth-server  ${message}  signing=${signing} published=${published}`,
      ja: `auth-server  ${messageIn(message, 'ja')}  署名に使う鍵=${signing} 公開中の鍵=${published}`,
      tone: 'warn',
    };
  }
  const text = `${event.service} ${message}`;
  return { en: text, ja: text, tone: '' };
}
