/**
 * Every sentence the lab prints, in English and in Japanese. The Japanese follows the workshop's
 * vocabulary: 認証 (authentication), 認可 (authorization), アクセストークン, スコープ, 署名,
 * 有効期限, オーディエンス, 認可サーバー, リソースサーバー (API), クライアント.
 */
import type { ChallengeExpectation, Expectation } from './scenarios.js';

export type Lang = 'en' | 'ja';

const attributesOf = (challenge: Exclude<ChallengeExpectation, null | 'bare'>) =>
  Object.entries(challenge).map(([name, value]) => `${name}="${value}"`);

export interface Messages {
  intro: string;
  usingRunning(urls: string): string;
  startingOwn: string;
  startedOwn(urls: string): string;
  partial(missing: string): string;
  stopping: string;
  request: string;
  response: string;
  noChallenge: string;
  why: string;
  /** What follows a label: ': ' in English, a full-width colon in Japanese. */
  colon: string;
  asDocumented(expected: string): string;
  notAsDocumented(expected: string, got: string): string;
  skipped(reason: string): string;
  summary(passed: number, failed: number, skipped: number): string;
  secretPlaceholder: string;
  titles: Record<number, string>;
  why1: string;
  jwtHeader: string;
  jwtPayload: string;
  jwtSignature(kid: string, jwksUri: string): string;
  claims: Record<string, string>;
  call: string;
  why2: string;
  why3: string;
  why4: string;
  why5: string;
  expiredHow: string;
  expiredNoKey: string;
  why6: string;
  tamperHow: string;
  why7: string;
  ruleAnalogy: string;
  why8: string;
  lockedOut: string;
  rotationRun: string;
  rotationWait: string;
  rotationNewKid(oldKid: string, newKid: string): string;
  rotationOld: string;
  rotationNew: string;
  why9: string;
  rotationManual: string;
  rotationJwks(kids: string): string;
  expectation(expected: Expectation): string;
  cacheCalls(calls: number, statuses: string, tokenRequests: number): string;
  cacheRenewal(fingerprint: string, renewal: string, expiry: string): string;
  cacheExpected(calls: number): string;
  why10: string;
  dpopBound(tokenType: string, jkt: string, thumbprint: string): string;
  dpopLegit: string;
  dpopStolen: string;
  dpopOtherUrl: string;
  dpopReplay: string;
  why12: string;
  clientLockedOut(client: string, seconds: string): string;
  tokenRefused(client: string, status: number): string;
  buildFirst: string;
  keyFileFound(path: string): string;
  keyFileMismatch(path: string): string;
  pkjwtCreate: string;
  pkjwtNoKeys: string;
  pkjwtStored(file: string): string;
  pkjwtAssertion: string;
  assertionClaims: Record<string, string>;
  pkjwtReplay: string;
  why11: string;
}

const en: Messages = {
  intro:
    'OAuth 2.0 client credentials lab: each scenario is a real request to the running services.',
  usingRunning: (urls) => `Using the stack that is already running: ${urls}`,
  startingOwn:
    'Nothing answers on the configured URLs: starting auth-server, worldmappers-api and giftdeliveries from their builds, on free ports…',
  startedOwn: (urls) => `Started: ${urls} (stopped again when the lab ends)`,
  partial: (missing) =>
    `Only part of the stack answers (${missing} does not). Start all of it (npm start), or stop it so that the lab can start its own.`,
  stopping: 'Stopping the stack the lab started.',
  request: 'Request',
  response: 'Response',
  noChallenge: '(no WWW-Authenticate header)',
  why: 'Why',
  colon: ': ',
  asDocumented: (expected) => `✔ as documented: ${expected}`,
  notAsDocumented: (expected, got) => `✘ NOT as documented: expected ${expected}, got ${got}`,
  skipped: (reason) => `– skipped: ${reason}`,
  summary: (passed, failed, skipped) =>
    `${passed} scenario(s) as documented, ${failed} not, ${skipped} skipped.`,
  secretPlaceholder: 'the client secret, not shown',
  titles: {
    1: 'The happy path: a token, decoded, and a call that works',
    2: 'No token',
    3: 'A token for another API (wrong audience)',
    4: 'A token without the scope (store-locator asks for directions)',
    5: 'An expired token',
    6: 'A tampered token',
    7: 'A banned client',
    8: 'A wrong client secret',
    9: 'Key rotation without restarting the API',
    10: 'Token caching: one token request for many API calls',
    11: 'No secret to leak: private_key_jwt',
    12: 'DPoP: a stolen token is useless without its key',
  },
  why1: 'The auth-server authenticated giftdeliveries by its id and secret, then authorized it: a token for one API (aud) with the scopes it was granted; the API checked the signature, exp, iss and aud, then the scope of the route.',
  jwtHeader:
    'Header: how it is signed (alg), with which key (kid), and what it is (typ at+jwt, RFC 9068)',
  jwtPayload: 'Payload: the claims',
  jwtSignature: (kid, jwksUri) =>
    `Signature: RS256 over header.payload with the auth-server's private key "${kid}". Anyone can check it with the public key from ${jwksUri}; it proves that the auth-server issued exactly this header and payload and that nobody changed a byte since. It does not hide anything: the payload is only base64url, so never put secrets in it.`,
  claims: {
    iss: 'who issued it (the issuer the API trusts)',
    sub: 'who it is about: the client itself, no user is involved',
    aud: 'which API it is for (the audience)',
    client_id: 'the client that asked for it',
    scope: 'what it allows (space-separated scopes)',
    iat: 'issued at (epoch seconds)',
    exp: 'expires at (epoch seconds): after this the API refuses it',
    jti: 'a unique id of this token',
  },
  call: 'Calling the API with it',
  why2: 'Every /api route demands a bearer token; without one the API answers 401 with a bare challenge (RFC 6750 §3.1) saying which realm (audience) wants one.',
  why3: 'The token is genuine (right signature) but was issued for urn:giftdeliveries: the API only accepts tokens whose aud is its own identifier, so a token cannot be replayed against another API.',
  why4: 'store-locator authenticated fine, but it was only granted geocode:location; the directions route needs the directions scope: 403 insufficient_scope (authorization, not authentication, failed).',
  why5: 'The signature is valid, but exp is in the past: tokens are short-lived on purpose, so a leaked one stops working soon. The client must ask for a new one.',
  expiredHow:
    "A token with exp two minutes ago, signed with the auth-server's real key (read from its data directory): the auth-server itself never hands out expired tokens.",
  expiredNoKey:
    "the lab cannot read this auth-server's signing key (it did not start the stack, and the key file next to it does not match the running JWKS), and an expired token that is not signed by the real key would prove nothing. Let the lab start its own stack (stop yours), or wait an hour and reuse an old token.",
  why6: 'store-locator edited its own token to add the directions scope. The signature covers header and payload, so any change breaks it: 401 invalid_token. Only the auth-server, with its private key, can make a valid token.',
  tamperHow:
    'The payload of a genuine store-locator token, with "directions" added to its scope; header and signature unchanged.',
  why7: 'banned-partner authenticated with the right secret, but the auth-server refuses every token request of a disabled client: access_denied.',
  ruleAnalogy:
    'This is the classic "deny this one client" rule of hosted authorization servers (an Auth0 rule that rejects one client id): here it is `enabled: false` in the registry.',
  why8: 'Authentication failed: the client secret does not match. The auth-server says only invalid_client (it does not tell whether the id or the secret was wrong), and after five failures within a minute it slows further guesses for that client to one every 2 s (a guess that would wait more than 6 s gets 429), so that guessing is hopeless while the right secret still works.',
  lockedOut:
    'Guesses for store-locator are slowed after repeated wrong secrets (one per 2 s, at most 6 s in line, then 429 too_many_attempts): the brute-force guard, also as documented. Nothing is locked: the right secret still gets its token.',
  rotationRun:
    "Rotating the auth-server's signing key (npm run rotate-keys, on its data directory). This changes the running demo for good: from now on it signs with the new key, and the old public key stays in the JWKS for one more hour, until every token it signed has expired; then the next rotation drops it, and a token still signed by it would get 401 invalid_token.",
  rotationWait:
    'No restart and no pause: the API has just fetched the JWKS; a token with a kid it has never seen makes it fetch again (at most once a second, so forged kids cannot make it hammer the auth-server; a token arriving within that second waits for it instead of being refused).',
  rotationNewKid: (oldKid, newKid) => `The signing key changed from ${oldKid} to ${newKid}.`,
  rotationOld: 'The old token (signed by the retired key, still published in the JWKS):',
  rotationNew: 'A new token (signed by the new key):',
  why9: 'The API met an unknown kid, fetched the JWKS again and found the new public key: no restart. The retired key stays published until every token it signed has expired, so tokens already handed out keep working.',
  rotationManual:
    'The lab did not start this stack and cannot reach its key file. To see a rotation: run `npm run rotate-keys` (for `npm start`) or `docker compose exec auth-server node dist/rotate-keys.js` (for compose), then run `npm run lab -- --only 1` again: the token has a new kid and the API accepts it without a restart.',
  rotationJwks: (kids) => `The JWKS now publishes the keys ${kids}.`,
  expectation: ({ status, error, challenge, scheme }) => {
    const answer = error ? `${status} ${error}` : String(status);
    const header = scheme === 'DPoP' ? 'a DPoP challenge' : 'WWW-Authenticate';
    if (challenge === undefined) return answer;
    if (challenge === null) return `${answer}, no WWW-Authenticate header`;
    if (challenge === 'bare')
      return `${answer}, ${header} with nothing but realm="urn:worldmappers"`;
    return `${answer}, ${header} with ${attributesOf(challenge).join(' and ')}`;
  },
  cacheCalls: (calls, statuses, tokenRequests) =>
    `${calls} API calls (answers: ${statuses}) made with ${tokenRequests} token request(s).`,
  cacheRenewal: (fingerprint, renewal, expiry) =>
    `The cached token ${fingerprint} expires at ${expiry}; the client asks for a new one at ${renewal}, shortly before, never per call.`,
  cacheExpected: (calls) => `${calls} API calls with 200, 1 token request`,
  why10:
    "The client keeps its token (createTokenProvider of @repo/token-client, the one giftdeliveries uses) and sends the same one with every call until shortly before exp. Asking for a token per call would multiply the load on the authorization server, and hosted ones (Auth0's M2M token quota) count every request.",
  dpopBound: (tokenType, jkt, thumbprint) =>
    `token_type: ${tokenType}; the token's cnf.jkt is ${jkt}, the thumbprint of the public key in the proof (${thumbprint}). The private key was made in this process's memory and never sent anywhere.`,
  dpopLegit:
    'giftdeliveries calls the API with Authorization: DPoP and a fresh proof signed by its key (htm GET, htu the URL without its query, iat, a new jti, ath = the hash of the token):',
  dpopStolen:
    'An attacker has copied the token (from a log, a proxy, a memory dump) but not the key. Without a proof, and then as a plain Bearer token:',
  dpopOtherUrl:
    'The attacker has also captured the proof of the call above and attaches it to another request (the directions route):',
  dpopReplay: 'And sends the captured proof again, to the very URL it was made for:',
  why12:
    "The token is bound to giftdeliveries' key (cnf.jkt, RFC 9449). Each request needs a proof signed by that key for exactly this method and URL, made within the last minute, hashing exactly this token, and never seen before (its jti is remembered for its window). The attacker can copy the token and even a proof, but cannot sign a new one: every request is refused. A plain bearer token would have worked for whoever held it.",
  tokenRefused: (client, status) => `the auth-server refused a token to ${client} (${status})`,
  buildFirst: '(build the apps first: npm run build)',
  clientLockedOut: (client, seconds) =>
    `the auth-server is slowing guesses for ${client} after repeated wrong secrets (scenario 8 run several times) and this request waited too long in line: run the lab again in ${seconds} s.`,
  keyFileFound: (path) =>
    `The running auth-server signs with the key in ${path}: the lab can mint expired tokens and rotate keys.`,
  keyFileMismatch: (path) =>
    `${path} does not hold the running auth-server's signing key: scenarios 5 and 9 are skipped.`,
  pkjwtCreate:
    'Creating a key pair for giftdeliveries-keys (npm run keys:client): the private key stays with the client, the public JWKS goes to the auth-server, which picks it up without a restart.',
  pkjwtNoKeys:
    'giftdeliveries-keys has no key pair yet on this stack. Run `npm run keys:client` (it writes the private key under apps/giftdeliveries/data and the public JWKS for the auth-server), then `npm run lab -- --only 11` again.',
  pkjwtStored: (file) =>
    `What the auth-server stores for giftdeliveries-keys (${file}): a public key, no secret. Anyone may read it; it can check a signature but never make one.`,
  pkjwtAssertion:
    'What crosses the wire instead of a secret: an assertion (RFC 7523), signed with the private key that never leaves the client',
  assertionClaims: {
    iss: 'who signed it: the client itself',
    sub: 'who it authenticates: the same client',
    aud: 'for this token endpoint only',
    jti: 'a fresh id: the auth-server accepts it once',
    iat: 'signed at (epoch seconds)',
    exp: 'dead 60 s later',
  },
  pkjwtReplay:
    'An attacker who copied that request sends the same assertion again (the signature is still valid and it has not expired):',
  why11:
    "With a client secret, every token request carries the secret itself, and the authorization server must keep something that can check it, so a leaked log line, a proxy or a database dump can give it away. With private_key_jwt the client proves who it is with a signature: the auth-server holds only the public key, and what crosses the wire is short-lived (60 s), bound to one token endpoint (aud) and single-use (jti, remembered in the provider's replay store): replaying it is refused with invalid_client, like a wrong secret.",
};

const ja: Messages = {
  intro:
    'OAuth 2.0 クライアントクレデンシャルグラントのラボ：各シナリオを、実際に動いているサービスへのリクエストで確かめます。',
  usingRunning: (urls) => `すでに起動しているスタックを使います：${urls}`,
  startingOwn:
    '設定された URL に応答がありません。ビルド済みの auth-server・worldmappers-api・giftdeliveries を空いているポートで起動します…',
  startedOwn: (urls) => `起動しました：${urls}（ラボの終了時に停止します）`,
  partial: (missing) =>
    `スタックの一部だけが応答しています（${missing} が応答しません）。すべてを起動する（npm start）か、すべて停止してラボに起動を任せてください。`,
  stopping: 'ラボが起動したスタックを停止します。',
  request: 'リクエスト',
  response: 'レスポンス',
  noChallenge: '（WWW-Authenticate ヘッダーなし）',
  why: '理由',
  colon: '：',
  asDocumented: (expected) => `✔ ドキュメントどおり：${expected}`,
  notAsDocumented: (expected, got) => `✘ ドキュメントと異なります：期待 ${expected}、実際 ${got}`,
  skipped: (reason) => `– スキップ：${reason}`,
  summary: (passed, failed, skipped) =>
    `ドキュメントどおり ${passed} 件、異なる ${failed} 件、スキップ ${skipped} 件。`,
  secretPlaceholder: 'クライアントシークレット（表示しません）',
  titles: {
    1: '正常系：アクセストークンを取得・デコードし、API を呼び出す',
    2: 'アクセストークンなし',
    3: '別の API 宛てのアクセストークン（オーディエンス違い）',
    4: 'スコープが足りないアクセストークン（store-locator が経路検索を呼ぶ）',
    5: '有効期限切れのアクセストークン',
    6: '改ざんされたアクセストークン',
    7: '無効化されたクライアント',
    8: '間違ったクライアントシークレット',
    9: 'API を再起動せずに署名鍵をローテーションする',
    10: 'トークンのキャッシュ：何度 API を呼んでもトークン要求は 1 回',
    11: '漏れるシークレットがない：private_key_jwt',
    12: 'DPoP：盗まれたトークンも、鍵がなければ役に立たない',
  },
  why1: '認可サーバーは giftdeliveries をクライアント ID とシークレットで認証し、そのうえで認可しました。発行したのは、1 つの API（aud）宛てで、許可されたスコープだけを持つアクセストークンです。API は署名、有効期限（exp）、発行者（iss）、オーディエンス（aud）を検証し、最後にルートのスコープを確かめました。',
  jwtHeader:
    'ヘッダー：署名の方式（alg）、署名に使った鍵（kid）、トークンの種類（typ at+jwt、RFC 9068）',
  jwtPayload: 'ペイロード：クレーム',
  jwtSignature: (kid, jwksUri) =>
    `署名：ヘッダーとペイロードに対する、認可サーバーの秘密鍵「${kid}」による RS256 署名です。誰でも ${jwksUri} の公開鍵で検証できます。署名が証明するのは、このヘッダーとペイロードを認可サーバーが発行し、その後 1 バイトも書き換えられていないことです。署名は中身を隠しません。ペイロードは base64url でエンコードしてあるだけなので、秘密情報を入れてはいけません。`,
  claims: {
    iss: '発行者（API が信頼する認可サーバー）',
    sub: '主体：クライアント自身です。利用者（人）は関わりません',
    aud: 'オーディエンス：どの API 宛てのトークンか',
    client_id: 'トークンを要求したクライアント',
    scope: '許可された操作（スペース区切りのスコープ）',
    iat: '発行時刻（1970 年からの秒数）',
    exp: '有効期限（1970 年からの秒数）：これを過ぎると API は拒否します',
    jti: 'このトークン固有の ID',
  },
  call: 'このアクセストークンで API を呼び出します',
  why2: 'すべての /api ルートは Bearer トークンを要求します。トークンがなければ、API は 401 と、error 属性のないチャレンジ（WWW-Authenticate ヘッダー、RFC 6750 §3.1）を返します。チャレンジが示すのは、トークンを求めているレルム（保護領域。ここでは API のオーディエンス）だけです。',
  why3: '署名の正しい本物のアクセストークンですが、urn:giftdeliveries 宛てに発行されたものです。API は aud が自分の識別子と一致するトークンしか受け付けないので、別の API 宛てのトークンを使い回すことはできません。',
  why4: 'store-locator の認証は成功しましたが、許可されているのは geocode:location だけです。経路検索のルートには directions スコープが必要なので 403 insufficient_scope になります（失敗したのは認証ではなく認可です）。',
  why5: '署名は正しいものの、有効期限（exp）が過ぎています。アクセストークンはあえて短命にしてあるので、漏えいしてもすぐに使えなくなります。クライアントは新しいトークンを取得し直す必要があります。',
  expiredHow:
    '有効期限（exp）が 2 分前のアクセストークンを、認可サーバーの本物の署名鍵（データディレクトリから読み込んだもの）で署名しました。認可サーバー自身は期限切れのトークンを発行しません。',
  expiredNoKey:
    'このラボはこの認可サーバーの署名鍵を読めません（スタックを起動したのはラボではなく、手元の鍵ファイルも稼働中の JWKS と一致しません）。本物の鍵で署名されていない期限切れトークンでは何も証明できません。スタックを停止してラボ自身に起動させるか、1 時間待って古いトークンを使ってください。',
  why6: 'store-locator が自分のアクセストークンを書き換えて directions スコープを追加しました。署名はヘッダーとペイロードの両方を対象にしているので、どんな変更でも署名が合わなくなり 401 invalid_token になります。有効なトークンを作れるのは、秘密鍵を持つ認可サーバーだけです。',
  tamperHow:
    'store-locator の本物のアクセストークンで、ペイロードの scope に "directions" を書き足しました。ヘッダーと署名はそのままです。',
  why7: 'banned-partner は正しいシークレットで認証に成功しましたが、認可サーバーは無効化されたクライアントのトークン要求をすべて拒否し、access_denied を返します。',
  ruleAnalogy:
    'ホスト型の認可サーバーでおなじみの「特定のクライアントだけを拒否する」ルール（Auth0 のルールで特定のクライアント ID を拒否する例）と同じです。ここではレジストリの `enabled: false` で表現しています。',
  why8: 'クライアントシークレットが一致しないため認証に失敗しました。認可サーバーは invalid_client としか答えません（ID とシークレットのどちらが違うかは教えません）。1 分間に 5 回失敗すると、そのクライアントへの推測を 2 秒に 1 回まで減速します（6 秒を超えて待つ推測には 429 を返します）。これで総当たりは役に立たなくなり、正しいシークレットは使えるままです。',
  lockedOut:
    'シークレットの誤りが続いたため、store-locator への推測は減速されています（2 秒に 1 回、順番待ちは最大 6 秒、超えると 429 too_many_attempts）。総当たり攻撃への対策で、これもドキュメントどおりの動作です。締め出しはせず、正しいシークレットならトークンを受け取れます。',
  rotationRun:
    '認可サーバーの署名鍵をローテーションします（データディレクトリに対して npm run rotate-keys を実行します）。このシナリオは動いているデモの署名鍵を実際に替え、元には戻しません。以後、認可サーバーは新しい鍵で署名します。古い公開鍵は、その鍵で署名したトークンがすべて期限切れになるまで、あと 1 時間 JWKS に残ります。その後にもう一度ローテーションすると古い鍵は JWKS から外れ、その鍵で署名されたトークンが残っていれば 401 invalid_token になります。',
  rotationWait:
    '再起動も待ち時間も不要です。API は直前に JWKS を取得したばかりですが、見たことのない kid のアクセストークンが来ると、JWKS を取り直します（偽造した kid で認可サーバーに大量のリクエストを送らせないよう、取り直しは 1 秒に 1 回まで。その 1 秒の間に来たトークンも拒否せず、取り直しを待ちます）。',
  rotationNewKid: (oldKid, newKid) => `署名鍵が ${oldKid} から ${newKid} に変わりました。`,
  rotationOld: '古いアクセストークン（古い鍵で署名。この鍵は JWKS にまだ公開されています）：',
  rotationNew: '新しいアクセストークン（新しい鍵で署名）：',
  why9: 'API は見たことのない kid に出会うと JWKS を取り直し、新しい公開鍵で署名を検証しました。再起動は不要です。古い鍵は、その鍵で署名したトークンがすべて期限切れになるまで公開され続けるので、発行済みのトークンもそのまま使えます。',
  rotationManual:
    'このスタックはラボが起動したものではなく、鍵ファイルにもアクセスできません。ローテーションを試すには、`npm run rotate-keys`（npm start の場合）または `docker compose exec auth-server node dist/rotate-keys.js`（compose の場合）を実行してから、`npm run lab -- --only 1` をもう一度実行してください。トークンの kid が変わり、API は再起動なしで受け付けます。',
  rotationJwks: (kids) => `JWKS には現在、鍵 ${kids} が公開されています。`,
  expectation: ({ status, error, challenge, scheme }) => {
    const answer = error ? `${status} ${error}` : String(status);
    const header = scheme === 'DPoP' ? 'DPoP のチャレンジ' : 'WWW-Authenticate ';
    if (challenge === undefined) return `${answer} が返りました`;
    if (challenge === null) return `${answer} で、WWW-Authenticate ヘッダーはありませんでした`;
    if (challenge === 'bare')
      return `${answer} で、${header}には realm="urn:worldmappers" だけが付きました`;
    // The server's error_description is English: name it, and leave its text to the response above.
    const { error_description: description, ...rest } = challenge;
    const attributes = attributesOf(rest).join(' と ');
    if (description === undefined) return `${answer} で、${header}に ${attributes} が付きました`;
    const described = '期待どおりの説明（error_description）が付きました';
    return `${answer} で、${header}に ${attributes} と、${described}`;
  },
  cacheCalls: (calls, statuses, tokenRequests) =>
    `API を ${calls} 回呼び出し（応答：${statuses}）、トークン要求は ${tokenRequests} 回でした。`,
  cacheRenewal: (fingerprint, renewal, expiry) =>
    `キャッシュしたトークン ${fingerprint} の有効期限は ${expiry} です。クライアントはその少し前の ${renewal} に新しいトークンを要求します。呼び出しのたびに要求することはありません。`,
  cacheExpected: (calls) => `API 呼び出し ${calls} 回がすべて 200 で、トークン要求は 1 回`,
  why10:
    'クライアントはトークンを保持し（giftdeliveries と同じ @repo/token-client の createTokenProvider）、有効期限の少し前まで、同じトークンをすべての呼び出しに付けて送ります。呼び出しごとにトークンを要求すると認可サーバーの負荷が何倍にもなり、ホスト型の認可サーバー（Auth0 のマシン間（M2M）トークンの発行数の上限など）ではすべての要求が数えられます。',
  dpopBound: (tokenType, jkt, thumbprint) =>
    `token_type は ${tokenType} です。トークンの cnf.jkt は ${jkt} で、証明（DPoP proof）に含まれる公開鍵のサムプリント（鍵のハッシュ値、RFC 7638：${thumbprint}）と一致します。秘密鍵はこのプロセスのメモリー内で作ったもので、どこにも送っていません。`,
  dpopLegit:
    'giftdeliveries は Authorization: DPoP と、自分の鍵で署名した新しい証明を付けて API を呼び出します（htm は GET、htu はクエリを除いた URL、iat、毎回新しい jti、ath はトークンのハッシュ）：',
  dpopStolen:
    '攻撃者がトークンをコピーしました（ログ、プロキシ、メモリーダンプなどから）。ただし鍵は持っていません。証明なしで送り、続いて普通の Bearer トークンとして送ります：',
  dpopOtherUrl:
    '攻撃者は上の呼び出しの証明も盗み取り、別のリクエスト（経路検索のルート）に付けて送ります：',
  dpopReplay: 'さらに、盗んだ証明を、それが作られた URL そのものにもう一度送ります：',
  why12:
    'このトークンは giftdeliveries の鍵に結び付けられています（cnf.jkt、RFC 9449）。リクエストごとに、その鍵で署名した証明が必要です。証明は、このメソッドとこの URL のためのもので、1 分以内に作られ、このトークンのハッシュを含み、一度も使われていないもの（jti は有効な間だけ記録します）でなければなりません。攻撃者はトークンも証明もコピーできますが、新しい証明には署名できないので、すべてのリクエストが拒否されます。普通の Bearer トークンなら、持っている人なら誰でも使えてしまいます。',
  tokenRefused: (client, status) =>
    `認可サーバーが ${client} へのトークンの発行を拒否しました（${status}）。`,
  buildFirst: '（先に npm run build でアプリをビルドしてください）',
  clientLockedOut: (client, seconds) =>
    `シークレットの誤りが続いたため（シナリオ 8 を何度も実行した）、認可サーバーは ${client} への推測を減速しており、このリクエストは順番を待ちきれませんでした。${seconds} 秒後にもう一度ラボを実行してください。`,
  keyFileFound: (path) =>
    `稼働中の認可サーバーは ${path} の鍵で署名しています。ラボは期限切れのトークンを作り、鍵をローテーションできます。`,
  keyFileMismatch: (path) =>
    `${path} は稼働中の認可サーバーの署名鍵ではありません。シナリオ 5 と 9 はスキップします。`,
  pkjwtCreate:
    'giftdeliveries-keys の鍵ペアを作成します（npm run keys:client）。秘密鍵はクライアントの手元に残し、公開鍵の JWKS だけを認可サーバーに渡します。認可サーバーは再起動なしでこれを読み込みます。',
  pkjwtNoKeys:
    'このスタックには giftdeliveries-keys の鍵ペアがまだありません。`npm run keys:client` を実行してから（秘密鍵は apps/giftdeliveries/data に、公開鍵の JWKS は認可サーバー用に書き出されます）、もう一度 `npm run lab -- --only 11` を実行してください。',
  pkjwtStored: (file) =>
    `認可サーバーが giftdeliveries-keys について保存しているもの（${file}）：公開鍵だけで、シークレットはありません。誰に読まれてもかまいません。公開鍵で署名を検証することはできても、署名を作ることはできないからです。`,
  pkjwtAssertion:
    'シークレットの代わりに送られるもの：クライアントの外に出ない秘密鍵で署名したアサーション（RFC 7523）',
  assertionClaims: {
    iss: '署名したもの：クライアント自身',
    sub: '認証される主体：同じクライアント',
    aud: 'このトークンエンドポイント専用',
    jti: '毎回新しい ID：認可サーバーは 1 回しか受け付けません',
    iat: '署名した時刻（1970 年からの秒数）',
    exp: '60 秒後に失効します',
  },
  pkjwtReplay:
    'このリクエストを盗み見た攻撃者が、同じアサーションをもう一度送ります（署名は正しく、有効期限もまだ切れていません）：',
  why11:
    'クライアントシークレットでは、トークン要求のたびにシークレットそのものが送られ、認可サーバーもそれを検証できるものを保存しておく必要があります。そのため、ログの 1 行やプロキシ、データベースのダンプから漏れるおそれがあります。private_key_jwt では、クライアントは署名で自分を証明します。認可サーバーが持つのは公開鍵だけで、通信路を流れるのは短命（60 秒）で、1 つのトークンエンドポイント専用（aud）、1 回限り（jti。再送を見破るために認可サーバーが記録します）のアサーションです。再送すると、間違ったシークレットと同じく invalid_client で拒否されます。',
};

export const MESSAGES: Record<Lang, Messages> = { en, ja };
