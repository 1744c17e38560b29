export { freePort } from './free-port.js';
export {
  repoRoot,
  startService,
  waitForHttp,
  type AppName,
  type ServiceProcess,
  type StartServiceOptions,
} from './start-service.js';
