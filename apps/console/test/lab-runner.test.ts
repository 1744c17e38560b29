import { describe, expect, it } from 'vitest';
import { LabBusy, LabRunner, labEnabled, type LabModule } from '../src/lab-runner.js';

const endpoints = {
  issuer: 'http://127.0.0.1:1/',
  worldmappers: 'http://127.0.0.1:2',
  giftdeliveries: 'http://127.0.0.1:3',
};

function fakeLab(run: LabModule['runScenarioAgainst']): LabModule {
  return {
    SCENARIO_NUMBERS: [1, 4],
    MESSAGES: {
      en: { titles: { 1: 'Happy path', 4: 'Missing scope' } },
      ja: { titles: { 1: '正常系', 4: 'スコープ不足' } },
    },
    runScenarioAgainst: run,
  };
}

describe("the console's lab runner", () => {
  it('is never on in production mode, and off when turned off', () => {
    expect(labEnabled('auto', 'development')).toBe(true);
    expect(labEnabled('auto', 'test')).toBe(true);
    expect(labEnabled('auto', 'production')).toBe(false);
    expect(labEnabled('off', 'development')).toBe(false);
  });

  it('says off without loading the lab, and unavailable when the lab cannot be loaded', async () => {
    let loads = 0;
    const off = new LabRunner({
      enabled: false,
      endpoints,
      secrets: {},
      load: async () => (
        loads++,
        fakeLab(async () => ({ outcome: 'pass', title: '', output: '' }))
      ),
    });
    expect(await off.state()).toEqual({ state: 'off' });
    await expect(off.run(1, 'en')).rejects.toThrow(RangeError);
    expect(loads).toBe(0);
    const missing = new LabRunner({
      enabled: true,
      endpoints,
      secrets: {},
      load: () => Promise.reject(new Error("Cannot find package 'lab'")),
    });
    expect(await missing.state()).toEqual({
      state: 'unavailable',
      reason: "Cannot find package 'lab'",
    });
  });

  it('runs one scenario at a time against its endpoints, in the language asked', async () => {
    let release!: () => void;
    const calls: unknown[] = [];
    const runner = new LabRunner({
      enabled: true,
      endpoints,
      secrets: { storefront: 's' },
      load: async () =>
        fakeLab(async (options) => {
          calls.push(options);
          await new Promise<void>((resolve) => (release = resolve));
          return { outcome: 'pass', title: 'スコープ不足', output: '━━ 4.' };
        }),
    });
    expect(await runner.state()).toEqual({
      state: 'ready',
      scenarios: [
        { number: 1, title: { en: 'Happy path', ja: '正常系' } },
        { number: 4, title: { en: 'Missing scope', ja: 'スコープ不足' } },
      ],
    });
    const first = runner.run(4, 'ja');
    await expect.poll(() => calls.length).toBe(1);
    await expect(runner.run(1, 'en')).rejects.toBeInstanceOf(LabBusy);
    release();
    await expect(first).resolves.toEqual({
      number: 4,
      outcome: 'pass',
      title: 'スコープ不足',
      output: '━━ 4.',
    });
    expect(calls).toEqual([{ number: 4, lang: 'ja', endpoints, secrets: { storefront: 's' } }]);
    await expect(runner.run(99, 'en')).rejects.toThrow('no scenario 99');
  });
});
