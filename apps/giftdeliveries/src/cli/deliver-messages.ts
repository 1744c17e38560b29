/**
 * Every sentence `npm run deliver` prints, in English and in Japanese (`--lang ja`). Protocol
 * words (HTTP statuses, OAuth error codes, header names) stay as they are in both; the steps of a
 * route are worldmappers-api's own text.
 */
export type Lang = 'en' | 'ja';

export interface DeliverMessages {
  usage: string;
  destinationRequired: string;
  recipientRequired: string;
  timeoutInvalid: string;
  langInvalid(value: string): string;
  unreachable(url: string, reason: string): string;
  answered(status: number, error: string): string;
  /** The authorization server refused a token: its code and status, and the variables to check. */
  tokenRefused(code: string, status: number | undefined, variables: string, detail: string): string;
  /** The token endpoint could not be reached or kept failing after every attempt. */
  tokenUnavailable(attempts: number, status: number | undefined, detail: string): string;
  /** The seconds a terminal's spinner shows beside the state. */
  waited(seconds: number): string;
  tokenObtained(client: string, fingerprint: string, scope: string, seconds: number): string;
  accepted(id: string, recipient: string, destination: string): string;
  planned(id: string): string;
  failed(id: string, reason: string | undefined): string;
  stillPending(id: string, seconds: number, lastError: string | undefined): string;
  beingPlanned: string;
  attemptFailed(attempt: number, error: string): string;
  route(from: string, to: string, mode: string, distance: string, duration: string): string;
  moreSteps(count: number): string;
  hours(hours: number, minutes: string): string;
  minutes(minutes: number): string;
}

const en: DeliverMessages = {
  usage: `Usage: npm run deliver -- <destination> --recipient <name> [options]

Asks giftdeliveries to deliver a gift and follows it until it is planned.

Options:
  -r, --recipient <name>   who receives the gift (required)
  -g, --gift <text>        what it is
  -o, --origin <place>     where it leaves from (default: the service's DEPOT)
  -u, --url <url>          giftdeliveries base URL (default: GIFTDELIVERIES_URL or http://localhost:7002)
  -t, --timeout <seconds>  how long to follow the delivery (default: 120)
      --no-follow          print the id and stop
      --lang en|ja         the language of these messages (default: en)
  -h, --help               this text

Environment: STOREFRONT_CLIENT_ID (storefront), STOREFRONT_CLIENT_SECRET (the dev secret),
GIFTDELIVERIES_URL, GIFTDELIVERIES_AUDIENCE, ISSUER_BASE_URL or AUTH0_DOMAIN, TOKEN_ENDPOINT,
TOKEN_AUTH_METHOD, TOKEN_AUDIENCE_PARAM.

Example: npm run deliver -- "Kyoto, JP" --recipient Yuki --gift "a wooden sleigh"
`,
  destinationRequired: 'a destination is required',
  recipientRequired: '--recipient is required',
  timeoutInvalid: '--timeout must be a positive number of seconds',
  langInvalid: (value) => `--lang must be en or ja, not "${value}"`,
  unreachable: (url, reason) => `cannot reach ${url} (${reason}); is it running (npm start)?`,
  answered: (status, error) => `giftdeliveries answered HTTP ${status}${error}`,
  tokenRefused: (_code, _status, _variables, detail) => detail,
  tokenUnavailable: (_attempts, _status, detail) => detail,
  waited: (seconds) => `${seconds}s`,
  tokenObtained: (client, fingerprint, scope, seconds) =>
    `token for ${client} obtained (${fingerprint}, scope "${scope}", ${seconds} s)`,
  accepted: (id, recipient, destination) =>
    `delivery ${id} accepted: ${recipient} in ${destination}`,
  planned: (id) => `delivery ${id} planned`,
  failed: (id, reason) => `delivery ${id} failed: ${reason ?? 'no reason given'}`,
  stillPending: (id, seconds, lastError) =>
    `delivery ${id} still pending after ${seconds} s (${lastError ?? 'waiting for the worker'}); it stays queued, check later with GET /deliveries/${id}`,
  beingPlanned: 'pending, being planned',
  attemptFailed: (attempt, error) => `pending, attempt ${attempt} failed: ${error}`,
  route: (from, to, mode, distance, duration) =>
    `${from} → ${to} by ${mode}: ${distance}, ${duration}`,
  moreSteps: (count) => `… ${count} more steps`,
  hours: (hours, minutes) => `${hours} h ${minutes} min`,
  minutes: (minutes) => `${minutes} min`,
};

const ja: DeliverMessages = {
  usage: `使い方：npm run deliver -- <届け先> --recipient <受取人> [オプション]

giftdeliveries にギフトの配送を依頼し、計画されるまで状態を追います。

オプション：
  -r, --recipient <名前>   ギフトを受け取る人（必須）
  -g, --gift <説明>        ギフトの内容
  -o, --origin <場所>      出発地（既定：サービスの DEPOT の値）
  -u, --url <URL>          giftdeliveries のベース URL（既定：GIFTDELIVERIES_URL または http://localhost:7002）
  -t, --timeout <秒>       配送の状態を追う時間（既定：120）
      --no-follow          ID を表示して終了する
      --lang en|ja         このメッセージの言語（既定：en）
  -h, --help               この説明を表示する

環境変数：STOREFRONT_CLIENT_ID（storefront）、STOREFRONT_CLIENT_SECRET（開発用のシークレット）、
GIFTDELIVERIES_URL、GIFTDELIVERIES_AUDIENCE、ISSUER_BASE_URL または AUTH0_DOMAIN、TOKEN_ENDPOINT、
TOKEN_AUTH_METHOD、TOKEN_AUDIENCE_PARAM。

例：npm run deliver -- "Kyoto, JP" --recipient Yuki --gift "a wooden sleigh" --lang ja
`,
  destinationRequired: '届け先を指定してください',
  recipientRequired: '--recipient（受取人）を指定してください',
  timeoutInvalid: '--timeout には正の秒数を指定してください',
  langInvalid: (value) => `--lang には en か ja を指定してください（"${value}" が指定されました）`,
  unreachable: (url, reason) =>
    `${url} に接続できません（${reason}）。サービスが起動しているか（npm start）確かめてください。`,
  answered: (status, error) => `giftdeliveries が HTTP ${status}${error} を返しました`,
  tokenRefused: (code, status, variables) =>
    `認可サーバーがトークンの発行を拒否しました（${status === undefined ? '' : `HTTP ${status} `}${code}）。${variables} を確かめてください。`,
  tokenUnavailable: (attempts, status) =>
    `認可サーバーのトークンエンドポイントに ${attempts} 回試しても接続できないか、エラーが続きました${status === undefined ? '' : `（最後の応答は HTTP ${status}）`}。認可サーバーが起動しているか（npm start）確かめてください。`,
  waited: (seconds) => `${seconds} 秒`,
  tokenObtained: (client, fingerprint, scope, seconds) =>
    `${client} のトークンを取得しました（${fingerprint}、スコープ "${scope}"、有効期間 ${seconds} 秒）`,
  accepted: (id, recipient, destination) =>
    `配送 ${id} を受け付けました：${destination} の ${recipient} さんへ`,
  planned: (id) => `配送 ${id} が計画されました`,
  failed: (id, reason) => `配送 ${id} の計画に失敗しました：${reason ?? '理由は示されていません'}`,
  stillPending: (id, seconds, lastError) =>
    `配送 ${id} は ${seconds} 秒たっても計画待ちです（${lastError ?? 'ワーカーの処理を待っています'}）。配送はキューに残っているので、あとで GET /deliveries/${id} で確かめてください`,
  beingPlanned: '計画待ち：計画を立てているところです',
  attemptFailed: (attempt, error) => `計画待ち：${attempt} 回目の試行に失敗しました（${error}）`,
  route: (from, to, mode, distance, duration) =>
    `${from} → ${to}（${mode}）：${distance}、${duration}`,
  moreSteps: (count) => `… ほかに ${count} 件の手順`,
  hours: (hours, minutes) => `${hours} 時間 ${minutes} 分`,
  minutes: (minutes) => `${minutes} 分`,
};

export const DELIVER_MESSAGES: Record<Lang, DeliverMessages> = { en, ja };
