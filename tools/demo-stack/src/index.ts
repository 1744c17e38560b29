export { appDir, appScript, repoRoot, type AppName } from './apps.js';
export {
  clientKeys,
  rotateKeys,
  type ClientKeyCommand,
  startApp,
  startDemoStack,
  type DemoStack,
  type DemoStackOptions,
} from './demo-stack.js';
