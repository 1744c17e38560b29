export { freePort } from './free-port.js';
export { startRedisServer, type RedisServer } from './redis-server.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
export { jsonLogSink, testLogger, type JsonLogSink } from './log-sink.js';
export {
  startService,
  waitForHttp,
  type ServiceProcess,
  type StartServiceOptions,
} from './start-service.js';
export { startTestIssuer, type MintOptions, type TestIssuer, type TestKey } from './test-issuer.js';
export {
  accessTokenClaims,
  decodeJwt,
  encryptedToken,
  foreignKey,
  hs256WithPublicKey,
  jwtParts,
  signToken,
  tamperPayload,
  tamperSignature,
  unsignedToken,
} from './forge.js';
export { currentSigningKey, readSigningKeys, type SigningKey } from './signing-keys.js';
export { athOf, dpopProofKey, type ProofKey, type ProofOptions } from './dpop-proof.js';
