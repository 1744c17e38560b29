import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../src/create-logger.js';
import { escapeControls, escapeJsonControls } from '../src/escape-controls.js';

/** ESC [2K (erase line), CR, then a forged line: what an attacker puts in a client id. */
const FORGED = 'x\u001b[2K\r12:00:00.000 auth-server info  token issued client_id=storefront';
const CONTROL_CHARS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\u007f',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
  '\u2028',
  '\u2029',
];
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

async function logged(format: LogFormat, write: (logger: ReturnType<typeof createLogger>) => void) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  write(createLogger({ service: 'auth-server', format, stream }));
  await new Promise((resolve) => setImmediate(resolve));
  return text;
}

describe('escapeControls', () => {
  it('escapes every C0, DEL, C1 and U+2028/U+2029 character, nothing else', () => {
    for (const char of CONTROL_CHARS) {
      const escaped = escapeControls(`a${char}b`);
      expect(escaped).not.toMatch(RAW_CONTROL);
      expect(escaped).not.toContain('\n');
      expect(escaped).toMatch(/^a\\(x[0-9a-f]{2}|u[0-9a-f]{4})b$/);
    }
    expect(escapeControls('\u001b[31m')).toBe('\\x1b[31m');
    expect(escapeControls('\u2028')).toBe('\\u2028');
    expect(escapeControls('plain text, émoji ✓')).toBe('plain text, émoji ✓');
  });

  it('keeps JSON valid and equal in meaning', () => {
    const text = `a\u0085b\u2028c\u007f`;
    const json = escapeJsonControls(JSON.stringify({ text }));
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual({ text });
  });
});

describe('every log format', () => {
  it.each(['pretty', 'json'] as const)(
    'writes a forged "info token issued" in a field or message as one escaped line (%s)',
    async (format) => {
      const text = await logged(format, (logger) => {
        logger.warn('token refused', { client_id: FORGED, error: 'invalid_client' });
        logger.warn(FORGED);
        logger.warn('nested', { details: { name: `Zed\u0000${CONTROL_CHARS.join('')}` } });
        logger.warn(`plain${CONTROL_CHARS.join('')}`, { bare: CONTROL_CHARS.join('') });
      });
      const lines = text.split('\n').filter(Boolean);
      expect(lines).toHaveLength(4);
      expect(text).not.toMatch(RAW_CONTROL);
      expect(text).not.toContain('\u001b');
      // The forged text is there, but inside its field, visibly escaped.
      expect(lines[0]).toContain('\\u001b[2K\\r12:00:00.000 auth-server info  token issued');
      expect(lines.filter((line) => /^\d\d:\d\d:\d\d\.\d{3} auth-server info/.test(line))).toEqual(
        [],
      );
      if (format === 'json') {
        for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
        expect(JSON.parse(lines[0]!).client_id).toBe(FORGED);
      }
    },
  );
});
