import { hideTokens, type Exchange } from './exchange.js';
import type { Messages } from './messages.js';

type Write = (text: string) => void;

/** Formats the lab's output; colours only on a terminal, and never with NO_COLOR. */
export class Printer {
  private readonly color: boolean;

  constructor(
    private readonly write: Write,
    readonly t: Messages,
    color: boolean,
  ) {
    this.color = color;
  }

  private paint(code: string, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  indented(text: string, prefix = '    '): void {
    for (const line of text.split('\n')) this.line(`${prefix}${line}`);
  }

  heading(number: number): void {
    this.line();
    this.line(this.paint('1', `━━ ${number}. ${this.t.titles[number]} ━━`));
  }

  note(text: string): void {
    this.indented(text, '  ');
  }

  exchange(exchange: Exchange): void {
    this.line(
      `  ${this.paint('36', `→ ${this.t.request}`)}${this.t.colon}${exchange.method} ${exchange.url}`,
    );
    for (const [name, value] of Object.entries(exchange.shownHeaders)) {
      this.line(`      ${name}: ${value}`);
    }
    if (exchange.shownBody !== undefined) this.indented(exchange.shownBody, '      ');
    this.line(
      `  ${this.paint('36', `← ${this.t.response}`)}${this.t.colon}${exchange.status} ${exchange.statusText}`,
    );
    this.line(
      exchange.challenge === null
        ? `      ${this.t.noChallenge}`
        : `      WWW-Authenticate: ${exchange.challenge}`,
    );
    const body =
      typeof exchange.body === 'string' ? exchange.body : JSON.stringify(exchange.body, null, 2);
    this.indented(hideTokens(body), '      ');
  }

  why(text: string): void {
    this.line(`  ${this.paint('33', `${this.t.why}${this.t.colon}`)}${text}`);
  }

  verdict(ok: boolean, expected: string, got: string): void {
    this.line(
      ok
        ? `  ${this.paint('32', this.t.asDocumented(expected))}`
        : `  ${this.paint('31', this.t.notAsDocumented(expected, got))}`,
    );
  }

  skipped(reason: string): void {
    this.line(`  ${this.paint('2', this.t.skipped(reason))}`);
  }
}
