export { freePort } from './free-port.js';
export {
  repoRoot,
  startService,
  waitForHttp,
  type AppName,
  type ServiceProcess,
  type StartServiceOptions,
} from './start-service.js';
export { startTestIssuer, type MintOptions, type TestIssuer, type TestKey } from './test-issuer.js';
