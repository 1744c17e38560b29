export { appDir, appScript, repoRoot, type AppName } from './apps.js';
export {
  rotateKeys,
  startApp,
  startDemoStack,
  type DemoStack,
  type DemoStackOptions,
} from './demo-stack.js';
