/**
 * Control characters that a terminal or a log viewer acts on: C0 (ESC among them), DEL, C1, and
 * the Unicode line and paragraph separators. Attacker-chosen text (a client id, a delivery field)
 * containing them could erase lines or forge a whole log line such as `info token issued`.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The same set minus what JSON.stringify already escapes (C0), for text that is JSON. */
const LEFT_BY_JSON = /[\u007f-\u009f\u2028\u2029]/g;

const hex = (char: string, width: number) => char.charCodeAt(0).toString(16).padStart(width, '0');

/** Every control character as a visible escape: ESC → `\x1b`, U+2028 → `\u2028`. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (char) =>
    char.charCodeAt(0) < 0x100 ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`,
  );
}

/** JSON text with the control characters JSON.stringify leaves raw escaped as `\uXXXX` (still valid JSON). */
export function escapeJsonControls(json: string): string {
  return json.replace(LEFT_BY_JSON, (char) => `\\u${hex(char, 4)}`);
}
