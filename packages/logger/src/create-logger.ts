import winston from 'winston';
import { escapeControls, escapeJsonControls } from './escape-controls.js';
import { redactFields } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'pretty' | 'json';
export type Logger = winston.Logger;

export interface LoggerOptions {
  /** Every line carries it, so the three services' logs can be told apart when interleaved. */
  service: string;
  level?: LogLevel;
  /** `pretty` for people (development default), `json` for log shippers (production default). */
  format?: LogFormat;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  stream?: NodeJS.WritableStream;
}

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');

const COLOURS: Record<string, string> = {
  error: '\u001b[31m',
  warn: '\u001b[33m',
  info: '\u001b[32m',
  debug: '\u001b[34m',
};
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

type Info = winston.Logform.TransformableInfo & Record<string | symbol, unknown>;

const SPLAT = Symbol.for('splat');

/**
 * Drops lines below the logger's level before any work is done on them (winston would format
 * them first and let the transport drop them), stamps the time, and redacts every field and the
 * message into a fresh object that keeps winston's symbol keys.
 */
function redactFormat(logger: () => winston.Logger) {
  return winston.format((info: Info) => {
    const { levels, level } = logger();
    const wanted = levels[level] ?? 0;
    if ((levels[String(info[LEVEL])] ?? 0) > wanted) return false;
    const safe = redactFields(info, {}) as Info;
    safe.timestamp = new Date().toISOString();
    safe[LEVEL] = info[LEVEL];
    safe[SPLAT] = info[SPLAT];
    return safe;
  })();
}

/** One JSON object per line; the object is already plain and acyclic after redaction. */
const jsonLine = winston.format((info: Info) => {
  info[MESSAGE] = escapeJsonControls(JSON.stringify(info));
  return info;
});

/** A field's value on a pretty line; no control character ever reaches the terminal raw. */
function formatValue(value: unknown): string {
  if (typeof value === 'string')
    return /[\s"=]/.test(value) || value === ''
      ? escapeJsonControls(JSON.stringify(value))
      : escapeControls(value);
  if (value instanceof Object) return escapeJsonControls(JSON.stringify(value));
  return escapeControls(String(value));
}

/** A stack keeps its line breaks; every other control character is escaped. */
const escapeStack = (stack: string) => stack.split('\n').map(escapeControls).join('\n');

function prettyLine(colour: boolean) {
  return winston.format.printf((info) => {
    const { level, message, timestamp, service, stack, ...fields } = info as Record<
      string,
      unknown
    >;
    const paint = (code: string | undefined, text: string) =>
      colour && code ? `${code}${text}${RESET}` : text;
    const levelName = String(info[LEVEL] ?? level);
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${paint(DIM, `${escapeControls(key)}=`)}${formatValue(value)}`);
    const head = [
      paint(DIM, String(timestamp).slice(11, 23)),
      paint(DIM, String(service)),
      paint(COLOURS[levelName], levelName.padEnd(5)),
      escapeControls(String(message)),
      ...pairs,
    ].join(' ');
    return typeof stack === 'string' ? `${head}\n${escapeStack(stack)}` : head;
  });
}

function useColour(stream: NodeJS.WritableStream | undefined): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream === undefined && process.stdout.isTTY === true;
}

/** The logging variables every service's configuration has (`serviceVars` of @repo/config). */
export interface LoggingConfig {
  LOG_LEVEL: LogLevel;
  LOG_FORMAT?: LogFormat | undefined;
  NODE_ENV: string;
}

/**
 * A service's logger from its configuration: `LOG_FORMAT` when set, otherwise JSON in production
 * and pretty lines elsewhere.
 */
export function createServiceLogger(
  service: string,
  config: LoggingConfig,
  stream?: NodeJS.WritableStream,
): Logger {
  return createLogger({
    service,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty'),
    ...(stream ? { stream } : {}),
  });
}

/**
 * A winston logger that never prints a secret: fields named like secrets become `sha256:…`
 * fingerprints and JWTs or `Bearer …` values inside any text are masked the same way.
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? (process.env.NODE_ENV === 'production' ? 'json' : 'pretty');
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  const logger: Logger = winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactFormat(() => logger),
      format === 'json' ? jsonLine() : prettyLine(useColour(options.stream)),
    ),
    transports: [transport],
  });
  return logger;
}
