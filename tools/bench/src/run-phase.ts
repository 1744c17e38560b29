/**
 * `npm run bench:phase -- <name>…`: one or more of the phases that need no shared stack, alone,
 * printed as the markdown of docs/benchmarks.md would show them (and as JSON to BENCH_PHASE_OUT,
 * when set). docs/ is not touched. Names: start-alone, token-limit, real-routes, random-pairs,
 * log-cost, throttle-store, replicas (the last two need PostgreSQL on 127.0.0.1:5432 and
 * `redis-server` / Redis on 6379).
 */
import { writeFileSync } from 'node:fs';
import { phaseRunners } from './own-phases.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in phaseRunners));
if (names.length === 0 || unknown.length > 0) {
  say(`usage: bench:phase <${Object.keys(phaseRunners).join('|')}>…`);
  process.exit(2);
}
const out: Record<string, unknown> = {};
for (const name of names) {
  const runner = phaseRunners[name as keyof typeof phaseRunners];
  say(`▶ ${name}`);
  const figures = await runner.run(say);
  out[name] = figures;
  say('');
  say(runner.markdown(figures as never).join('\n'));
}
if (process.env.BENCH_PHASE_OUT) {
  writeFileSync(process.env.BENCH_PHASE_OUT, `${JSON.stringify(out, null, 2)}\n`);
}
