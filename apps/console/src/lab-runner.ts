/**
 * "Try it"'s lab scenarios: the console runs the lab's own scenario functions (`lab/run-one`) in
 * its process, against the services it is configured with, one at a time. Their requests reach
 * the timeline the way every request does: through the services' own event streams.
 *
 * Off in production mode whatever the setting: a scenario forges tokens, tries wrong secrets and
 * rotates keys. The lab is a workspace of the repository, not a dependency of the console: it is
 * imported only when first asked for, and a console without it (its Docker image) says so.
 */

export type LabSetting = 'auto' | 'off';

/** The scenarios run only outside production mode, and only when not turned off. */
export const labEnabled = (setting: LabSetting, nodeEnv: string) =>
  setting !== 'off' && nodeEnv !== 'production';

export interface ScenarioRun {
  number: number;
  title: string;
  outcome: 'pass' | 'fail' | 'skip';
  output: string;
}

/** What the console uses of `lab/run-one`. */
export interface LabModule {
  SCENARIO_NUMBERS: number[];
  MESSAGES: Record<'en' | 'ja', { titles: Record<number, string> }>;
  runScenarioAgainst(options: {
    number: number;
    lang: 'en' | 'ja';
    endpoints: { issuer: string; worldmappers: string; giftdeliveries: string };
    secrets: Readonly<Record<string, string>>;
  }): Promise<Omit<ScenarioRun, 'number'>>;
}

export type LabState =
  | { state: 'off' }
  | { state: 'unavailable'; reason: string }
  | { state: 'ready'; scenarios: { number: number; title: { en: string; ja: string } }[] };

/** Thrown when a scenario is asked for while another runs: the caller answers 409. */
export class LabBusy extends Error {
  constructor(readonly running: number) {
    super(`scenario ${running} is running; one at a time`);
  }
}

export class LabRunner {
  private lab: Promise<LabModule> | undefined;
  private running: number | undefined;

  constructor(
    private readonly options: {
      enabled: boolean;
      endpoints: { issuer: string; worldmappers: string; giftdeliveries: string };
      secrets: Readonly<Record<string, string>>;
      /** The lab's module; the real one by default. */
      load?: () => Promise<LabModule>;
    },
  ) {}

  private module(): Promise<LabModule> {
    const specifier = 'lab/run-one';
    this.lab ??= (this.options.load ?? (() => import(specifier) as Promise<LabModule>))();
    return this.lab;
  }

  async state(): Promise<LabState> {
    if (!this.options.enabled) return { state: 'off' };
    try {
      const lab = await this.module();
      return {
        state: 'ready',
        scenarios: lab.SCENARIO_NUMBERS.map((number) => ({
          number,
          title: { en: lab.MESSAGES.en.titles[number]!, ja: lab.MESSAGES.ja.titles[number]! },
        })),
      };
    } catch (error) {
      this.lab = undefined;
      return { state: 'unavailable', reason: (error as Error).message };
    }
  }

  /**
   * Runs one scenario; resolves with its outcome and the lab's text.
   * @throws LabBusy while another runs; RangeError for an unknown number or when off.
   */
  async run(number: number, lang: 'en' | 'ja'): Promise<ScenarioRun> {
    const state = await this.state();
    if (state.state !== 'ready') throw new RangeError(`the lab's scenarios are ${state.state}`);
    if (!state.scenarios.some((scenario) => scenario.number === number)) {
      throw new RangeError(`no scenario ${number}`);
    }
    if (this.running !== undefined) throw new LabBusy(this.running);
    this.running = number;
    try {
      const lab = await this.module();
      const result = await lab.runScenarioAgainst({
        number,
        lang,
        endpoints: this.options.endpoints,
        secrets: this.options.secrets,
      });
      return { number, ...result };
    } finally {
      this.running = undefined;
    }
  }
}
