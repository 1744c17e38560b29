/**
 * One scenario, run and judged: what `npm run lab` does per scenario, and what the live console
 * calls in its own process (`lab/run-one`) to run a scenario from its "Try it" buttons.
 */
import { DEMO_CLIENTS } from '@repo/contracts';
import { MESSAGES, type Lang } from './messages.js';
import { Printer } from './printer.js';
import { LockedOut, SCENARIOS, type Outcome, type ScenarioContext } from './scenarios.js';
import { findRunningStack, type Endpoints, type LabStack } from './stack.js';

export { MESSAGES, type Lang } from './messages.js';
export type { Endpoints } from './stack.js';
export type { Outcome } from './scenarios.js';

/** The scenarios' numbers, in order. */
export const SCENARIO_NUMBERS = Object.keys(SCENARIOS).map(Number);

/** Runs scenario `number` in `ctx`, turning a locked-out client into a skip and a throw into a fail. */
export async function runScenario(number: number, ctx: ScenarioContext): Promise<Outcome> {
  const { out } = ctx;
  out.heading(number);
  try {
    return await SCENARIOS[number]!(ctx);
  } catch (error) {
    if (error instanceof LockedOut) {
      out.skipped(out.t.clientLockedOut(error.client, error.retryAfter));
      return 'skip';
    }
    out.verdict(false, out.t.titles[number] ?? String(number), (error as Error).message);
    return 'fail';
  }
}

/**
 * Runs one scenario against services already running at `endpoints` (never starts any), with the
 * given client secrets (the dev defaults for those not given); resolves with the lab's text.
 */
export async function runScenarioAgainst(options: {
  number: number;
  lang: Lang;
  endpoints: Endpoints;
  secrets: Readonly<Record<string, string>>;
}): Promise<{ outcome: Outcome; title: string; output: string }> {
  const { number, lang, endpoints } = options;
  const t = MESSAGES[lang];
  if (!SCENARIOS[number]) throw new RangeError(`no scenario ${number}`);
  let output = '';
  const out = new Printer((text) => (output += text), t, false);
  const found = await findRunningStack(endpoints);
  if (found.kind !== 'running') {
    const missing = found.kind === 'partial' ? found.missing.join(', ') : endpoints.issuer;
    out.line(t.partial(missing));
    return { outcome: 'skip', title: t.titles[number] ?? String(number), output };
  }
  const stack: LabStack = found.stack;
  const secrets = Object.fromEntries(
    Object.values(DEMO_CLIENTS).map((client) => [
      client.id,
      options.secrets[client.id] || client.devSecret,
    ]),
  ) as ScenarioContext['secrets'];
  const outcome = await runScenario(number, { stack, out, secrets });
  return { outcome, title: t.titles[number] ?? String(number), output };
}
