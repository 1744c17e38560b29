import {
  INSPECT_ERRORS_EN,
  REASONS_EN,
  reasonIn,
  type InspectErrorCode,
  type Reason,
  type ReasonWords,
} from '../src/reasons.js';

/** Every string the page shows, in English and Japanese. */
export const MESSAGES = {
  en: {
    title: 'Gift Deliveries · live console',
    toggle: '日本語',
    timeline: 'Live timeline',
    timelineHint:
      'client → authorization server → resource server, as it happens. Select a row for the raw request and response.',
    inspector: 'Token inspector',
    pasteToken: 'Token (paste one, or pick one from the timeline)',
    routeToCheck: 'Route to check against',
    inspect: 'Inspect',
    keys: 'Keys (JWKS as the APIs see it)',
    cache: "giftdeliveries' token cache",
    tryIt: 'Try it',
    tryHint: "Each cell makes the real request with that client's real token.",
    map: 'Deliveries on the map',
    attribution: 'Map: Natural Earth (public domain), via world-atlas.',
    recipient: 'Recipient',
    destination: 'Destination',
    send: 'Send a delivery (as storefront)',
    connected: 'connected',
    disconnected: 'reconnecting',
    tokenRequest: 'token',
    apiCall: 'API call',
    delivery: 'delivery',
    keyChange: 'keys',
    cacheEvent: 'cache',
    pick: 'inspect this token',
    signature: 'Signature (live JWKS, kid)',
    issuer: 'Issuer (iss)',
    audience: 'Audience (aud)',
    expiry: 'Expiry (exp)',
    scope: 'Scope of the route',
    passed: 'passed',
    failed: 'failed',
    verdict: 'The API would answer',
    signsNow: 'signs now',
    retired: 'retired (still published until its tokens expire)',
    noToken: 'no token cached yet',
    renewsAt: 'renews at',
    expiresAt: 'expires at',
    requestsServed: 'token requests / API calls served',
    client: 'client',
    pending: 'pending',
    planned: 'planned',
    failedDelivery: 'failed',
    claimHelp: 'claims',
    header: 'header',
    typ: 'token type: an access token JWT (RFC 9068)',
    iss: 'who issued it',
    sub: 'whom it is about: the client itself',
    client_id: 'the client that asked for it',
    aud: 'the API it is for',
    scopeClaim: 'what it allows',
    iat: 'issued at',
    exp: 'expires at',
    jti: 'its unique id',
    cnf: 'the key it is bound to',
    kid: 'the signing key',
    alg: 'the signature algorithm',
    waiting: 'waiting for events…',
    laneClient: 'client',
    laneAuth: 'authorization server',
    laneResource: 'resource server',
    rawRequest: 'Request (secrets as fingerprints, tokens shortened)',
    rawResponse: 'Response',
    retiredUntil: 'retired; stays published until',
    labScenarios: "The lab's scenarios (npm run lab), run by the console",
    labHint: 'One at a time; their requests appear in the timeline as they happen.',
    labOff: "The lab's scenarios are off here (production mode, or LAB_SCENARIOS=off).",
    labUnavailable:
      'The lab is not installed beside this console (its Docker image): run npm run lab.',
    labRunning: 'running',
    labPass: 'behaved as documented',
    labFail: 'did not behave as documented',
    labSkip: 'skipped',
    pendingAtOrigin: 'pending (at its origin)',
    failedAtOrigin: 'failed (at its origin)',
  },
  ja: {
    title: 'Gift Deliveries · ライブコンソール',
    toggle: 'English',
    timeline: 'ライブタイムライン',
    timelineHint:
      'クライアント → 認可サーバー → リソースサーバーの流れをリアルタイムに表示。行を選ぶと生のリクエストとレスポンスを表示します。',
    inspector: 'トークンインスペクター',
    pasteToken: 'トークン（貼り付けるか、タイムラインから選ぶ）',
    routeToCheck: '検査するルート',
    inspect: '検査する',
    keys: '鍵（API から見た JWKS）',
    cache: 'giftdeliveries のトークンキャッシュ',
    tryIt: '試す',
    tryHint: '各セルは、そのクライアントの本物のトークンで本物のリクエストを送ります。',
    map: '地図上の配送',
    attribution: '地図：Natural Earth（パブリックドメイン）、world-atlas 経由。',
    recipient: '受取人',
    destination: '配送先',
    send: '配送を登録する（storefront として）',
    connected: '接続中',
    disconnected: '再接続中',
    tokenRequest: 'トークン',
    apiCall: 'API 呼び出し',
    delivery: '配送',
    keyChange: '鍵',
    cacheEvent: 'キャッシュ',
    pick: 'このトークンを検査',
    signature: '署名（現在の JWKS、kid）',
    issuer: '発行者（iss）',
    audience: 'オーディエンス（aud）',
    expiry: '有効期限（exp）',
    scope: 'ルートのスコープ',
    passed: '合格',
    failed: '不合格',
    verdict: 'API の応答',
    signsNow: '現在の署名鍵',
    retired: '退役（そのトークンが失効するまで公開）',
    noToken: 'キャッシュされたトークンはまだありません',
    renewsAt: '更新予定時刻',
    expiresAt: '失効時刻',
    requestsServed: 'トークン要求 / 処理した API 呼び出し',
    client: 'クライアント',
    pending: '保留中',
    planned: '計画済み',
    failedDelivery: '失敗',
    claimHelp: 'クレーム',
    header: 'ヘッダー',
    typ: 'トークンの種類：アクセストークン JWT（RFC 9068）',
    iss: '発行者',
    sub: '主体：クライアント自身',
    client_id: '要求したクライアント',
    aud: '対象の API',
    scopeClaim: '許可する操作',
    iat: '発行時刻',
    exp: '失効時刻',
    jti: '一意の ID',
    cnf: '結び付けられた鍵',
    kid: '署名鍵',
    alg: '署名アルゴリズム',
    waiting: 'イベントを待っています…',
    laneClient: 'クライアント',
    laneAuth: '認可サーバー',
    laneResource: 'リソースサーバー',
    rawRequest: 'リクエスト（シークレットはフィンガープリント、トークンは短縮表示）',
    rawResponse: 'レスポンス',
    retiredUntil: '退役。公開の期限',
    labScenarios: 'ラボのシナリオ（npm run lab）をコンソールが実行',
    labHint: '一度に一つずつ。そのリクエストはタイムラインにリアルタイムで表示されます。',
    labOff: 'ここではラボのシナリオは無効です（本番モード、または LAB_SCENARIOS=off）。',
    labUnavailable:
      'このコンソールの横にラボがありません（Docker イメージ）：npm run lab を実行してください。',
    labRunning: '実行中',
    labPass: 'ドキュメントどおりに動作',
    labFail: 'ドキュメントどおりに動作せず',
    labSkip: 'スキップ',
    pendingAtOrigin: '保留中（出発地に表示）',
    failedAtOrigin: '失敗（出発地に表示）',
  },
} as const;

export type Lang = keyof typeof MESSAGES;
export type MessageKey = keyof (typeof MESSAGES)['en'];

/** Why a check of the inspector passed or failed, in Japanese (English: src/reasons.ts). */
const REASONS_JA: ReasonWords = {
  'alg-refused': ({ alg }) => `alg ${alg} は決して受け付けません`,
  'no-key': ({ kid }) =>
    kid === undefined
      ? 'ヘッダーに kid がなく、発行者の JWKS のどの鍵で署名したのか分かりません'
      : `発行者の JWKS に kid "${kid}" の鍵がありません`,
  'signature-verified': ({ kid }) => `kid ${kid} の鍵で検証できました`,
  'signature-invalid': ({ kid, alg, detailCode }) =>
    detailCode === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
      ? `kid ${kid} の鍵で検証できません：署名が一致しません（改ざんされたか、別の鍵で署名されています）`
      : detailCode === 'ERR_JOSE_NOT_SUPPORTED' || detailCode === 'TypeError'
        ? `kid ${kid} の鍵で検証できません：alg ${alg} はこの鍵では使えません`
        : `kid ${kid} の鍵で検証できません：署名の形式が正しくありません`,
  'issuer-ok': ({ issuer }) => `iss は ${issuer} です`,
  'issuer-wrong': ({ iss, issuer }) => `iss は ${iss} ですが、発行者は ${issuer} のはずです`,
  'audience-ok': ({ audience }) => `aud に ${audience} が含まれています`,
  'audience-wrong': ({ aud, audience }) =>
    `aud は ${aud || '（なし）'} ですが、このルートには ${audience} が必要です`,
  'expiry-missing': () => 'exp クレームがありません',
  'expiry-ok': ({ seconds }) =>
    seconds >= 0
      ? `あと ${seconds} 秒で期限切れになります`
      : `${-seconds} 秒前に期限切れですが、時計のずれの許容範囲内です`,
  'expiry-passed': ({ seconds }) => `${seconds} 秒前に期限切れになりました`,
  'scope-ok': ({ scope }) => `scope に ${scope} が含まれています`,
  'scope-missing': ({ granted, scope }) =>
    `scope は "${granted}" ですが、このルートには ${scope} が必要です`,
};

/** A check's reason in the page's language; in English exactly the API's `reason`. */
export const reasonText = (reason: Reason, lang: Lang): string =>
  reasonIn(reason, lang === 'ja' ? REASONS_JA : REASONS_EN);

const INSPECT_ERRORS_JA: Record<InspectErrorCode, string> = {
  'not-a-jwt':
    'JWT ではありません（JWT は base64url の 3 つの部分からなり、ヘッダーとクレームは JSON です）。',
  'no-token':
    'トークンを貼り付けるか、コンソールが取得したトークンをタイムラインから選んでください。',
  'unknown-route': '不明なルートです。',
};

/**
 * Why the inspector has no checks to show, in the page's language: the inspection's
 * `errorCode`, or the console API's refusal (its `error_description`, one of src/reasons.ts's);
 * any other text as it came.
 */
export function inspectErrorText(
  answer: { errorCode?: string; error?: string; error_description?: string },
  lang: Lang,
): string {
  const english = String(answer.error_description ?? answer.error ?? '');
  const code =
    answer.errorCode ??
    (Object.keys(INSPECT_ERRORS_EN) as InspectErrorCode[]).find(
      (candidate) => INSPECT_ERRORS_EN[candidate] === english,
    );
  if (code === undefined || !(code in INSPECT_ERRORS_EN)) return english;
  return (lang === 'ja' ? INSPECT_ERRORS_JA : INSPECT_ERRORS_EN)[code as InspectErrorCode];
}
