/**
 * `npm run lab`: the workshop's guided scenarios, each a real request to the running stack (or to
 * one the lab starts from the builds when nothing answers), printed with the response and why.
 * Exits 1 when a scenario behaves other than documented, 2 on a usage or setup problem.
 */
import { environmentWithDotenv } from '@repo/config';
import { parseLabArgs } from './args.js';
import { MESSAGES } from './messages.js';
import { Printer } from './printer.js';
import { runScenario } from './run-one.js';
import { SCENARIOS, type Outcome, type ScenarioContext, type Secrets } from './scenarios.js';
import { findRunningStack, startOwnStack, type LabStack } from './stack.js';
import { DEMO_CLIENTS } from '@repo/contracts';

const write = (text: string) => process.stdout.write(text);

function fail(message: string): never {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(2);
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
const withoutSlash = (url: string) => url.replace(/\/+$/, '');

const parsed = parseLabArgs(process.argv.slice(2), Object.keys(SCENARIOS).map(Number));
if (parsed.kind === 'error') fail(parsed.message);
if (parsed.kind === 'help') {
  write(parsed.text);
  process.exit(0);
}
const args = parsed.options;
const { lang, numbers } = args;

const env = environmentWithDotenv(process.env);
const t = MESSAGES[lang];
const color = Boolean(process.stdout.isTTY) && !env.NO_COLOR;
const out = new Printer(write, t, color);
const secrets = Object.fromEntries(
  Object.values(DEMO_CLIENTS).map((client) => [
    client.id,
    env[client.secretEnv] || client.devSecret,
  ]),
) as Secrets;
const endpoints = {
  issuer: withSlash(args.issuer ?? env.ISSUER_BASE_URL ?? 'http://localhost:4000/'),
  worldmappers: withoutSlash(args.api ?? env.WORLDMAPPERS_API_URL ?? 'http://localhost:7001'),
  giftdeliveries: withoutSlash(
    args.giftdeliveries ?? env.GIFTDELIVERIES_URL ?? 'http://localhost:7002',
  ),
};

out.line(t.intro);
let stack: LabStack;
const found = args.ownStack ? { kind: 'none' as const } : await findRunningStack(endpoints);
if (found.kind === 'partial') fail(t.partial(found.missing.join(', ')));
if (found.kind === 'running') {
  stack = found.stack;
  out.line(t.usingRunning(`${stack.issuer} ${stack.worldmappers} ${stack.giftdeliveries}`));
  out.line(
    found.keyFileUsable
      ? t.keyFileFound(found.keyFileChecked)
      : t.keyFileMismatch(found.keyFileChecked),
  );
} else {
  out.line(t.startingOwn);
  try {
    stack = await startOwnStack();
  } catch (error) {
    fail(`${(error as Error).message}\n${t.buildFirst}`);
  }
  out.line(t.startedOwn(`${stack.issuer} ${stack.worldmappers} ${stack.giftdeliveries}`));
}

const stopOnSignal = () => {
  void stack.stop().finally(() => process.exit(130));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

const ctx: ScenarioContext = { stack, out, secrets };
const outcomes: Outcome[] = [];
for (const number of numbers) outcomes.push(await runScenario(number, ctx));

const count = (outcome: Outcome) => outcomes.filter((o) => o === outcome).length;
out.line();
out.line(t.summary(count('pass'), count('fail'), count('skip')));
if (stack.own) {
  out.line(t.stopping);
  await stack.stop();
}
process.exit(count('fail') > 0 ? 1 : 0);
