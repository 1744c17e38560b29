import { z } from 'zod';
import type { CliLang } from './cli-args.js';
import { normalizeIssuer } from './issuer.js';

/** What a variable's error line shows besides its name. */
export interface VariableMeta {
  /** What is expected, in words of each language: "an integer from 0 to 65535". */
  expected: Readonly<Record<CliLang, string>>;
  /** A value that would be accepted. */
  example: string;
  /** Secrets are never echoed, not even when they are the invalid value. */
  secret?: boolean;
}

const META = new WeakMap<z.ZodType, VariableMeta>();

/** Attaches the words an error line uses to a variable's schema. */
export function describe<T extends z.ZodType>(schema: T, meta: VariableMeta): T {
  META.set(schema, meta);
  return schema;
}

/** The words attached by {@link describe}, if any. */
export function metaOf(schema: z.ZodType): VariableMeta | undefined {
  return META.get(schema);
}

/** Empty strings in `.env` files mean "not set". */
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

function optionalWithDefault<T extends z.ZodType>(schema: T, fallback: z.input<T> | undefined) {
  const base = fallback === undefined ? schema : schema.default(fallback as never);
  return z.preprocess(unsetIfEmpty, base);
}

/** The values of `TOKEN_BINDING` (`vars.tokenBinding`). */
export const TOKEN_BINDINGS = ['none', 'dpop'] as const;
export type TokenBinding = (typeof TOKEN_BINDINGS)[number];

/** Builders for the variables apps declare. Each one knows how to explain itself. */
export const vars = {
  /** A TCP port; 0 asks the OS for a free one (tests). */
  port(fallback: number) {
    return describe(optionalWithDefault(z.coerce.number().int().min(0).max(65535), fallback), {
      expected: { en: 'an integer port from 0 to 65535', ja: '0〜65535 の整数のポート番号' },
      example: String(fallback),
    });
  },

  /** A positive integer (a count, milliseconds, seconds). */
  integer(fallback: number, options: { min?: number; max?: number; unit?: string } = {}) {
    const { min = 0, max = Number.MAX_SAFE_INTEGER, unit = '' } = options;
    return describe(optionalWithDefault(z.coerce.number().int().min(min).max(max), fallback), {
      expected: {
        en: `an integer from ${min}${unit ? ` ${unit}` : ''}`,
        ja: `${min} 以上の整数${unit ? `（${unit}）` : ''}`,
      },
      example: String(fallback),
    });
  },

  /** Free text, trimmed; required when there is no fallback. */
  text(fallback: string | undefined, example: string) {
    return describe(optionalWithDefault(z.string().trim().min(1).max(2048), fallback), {
      expected: { en: 'a non-empty text', ja: '空でない文字列' },
      example,
    });
  },

  /** Optional free text, `undefined` when unset. */
  optionalText(example: string) {
    return describe(z.preprocess(unsetIfEmpty, z.string().trim().min(1).max(2048).optional()), {
      expected: { en: 'a non-empty text, or unset', ja: '空でない文字列（または未設定）' },
      example,
    });
  },

  /** A secret (client secret, password). Never echoed in any message. */
  secret(fallback: string | undefined, example = '<a long random string>') {
    return describe(optionalWithDefault(z.string().min(1).max(4096), fallback), {
      expected: { en: 'a non-empty secret', ja: '空でないシークレット' },
      example,
      secret: true,
    });
  },

  /** An absolute http(s) URL, returned as written. */
  url(fallback: string | undefined, example = 'http://localhost:7001') {
    return describe(optionalWithDefault(z.url({ protocol: /^https?$/ }), fallback), {
      expected: { en: 'an absolute http(s) URL', ja: 'http(s) の絶対 URL' },
      example,
    });
  },

  /** Optional absolute http(s) URL. */
  optionalUrl(example: string) {
    return describe(z.preprocess(unsetIfEmpty, z.url({ protocol: /^https?$/ }).optional()), {
      expected: {
        en: 'an absolute http(s) URL, or unset',
        ja: 'http(s) の絶対 URL（または未設定）',
      },
      example,
    });
  },

  /** An issuer URL, normalised to end with exactly one slash. */
  issuer(fallback: string | undefined, example = 'http://localhost:4000/') {
    return describe(
      optionalWithDefault(z.url({ protocol: /^https?$/ }), fallback).transform(normalizeIssuer),
      {
        expected: { en: 'an absolute http(s) issuer URL', ja: '発行者の http(s) の絶対 URL' },
        example,
      },
    );
  },

  /** A bare host name, e.g. an Auth0 tenant domain. */
  optionalDomain(example = 'tenant.eu.auth0.com') {
    return describe(
      z.preprocess(
        unsetIfEmpty,
        z
          .string()
          .trim()
          .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'not a host name')
          .optional(),
      ),
      {
        expected: {
          en: 'a host name without scheme or path, or unset',
          ja: 'スキームやパスを含まないホスト名（または未設定）',
        },
        example,
      },
    );
  },

  /** One of a fixed set of words. */
  oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
    return describe(optionalWithDefault(z.enum(values), fallback), {
      expected: { en: `one of ${values.join(', ')}`, ja: `${values.join('、')} のいずれか` },
      example: fallback,
    });
  },

  /** `true` or `false`, as a boolean. */
  flag(fallback: boolean) {
    return describe(
      optionalWithDefault(
        z.enum(['true', 'false']),
        String(fallback) as 'true' | 'false',
      ).transform((value) => value === 'true'),
      { expected: { en: 'true or false', ja: 'true か false' }, example: String(fallback) },
    );
  },

  /**
   * `TOKEN_BINDING` of a client: `none` (plain Bearer tokens) or `dpop` (tokens bound to a key
   * pair the process keeps in memory, with a proof on every call, RFC 9449).
   */
  tokenBinding() {
    return describe(optionalWithDefault(z.enum(TOKEN_BINDINGS), 'none'), {
      expected: {
        en: `one of ${TOKEN_BINDINGS.join(', ')}`,
        ja: `${TOKEN_BINDINGS.join('、')} のいずれか`,
      },
      example: 'dpop',
    });
  },
} as const;

/** Variables every service reads: where it listens and how it logs. */
export function serviceVars(defaultPort: number) {
  return {
    PORT: vars.port(defaultPort),
    NODE_ENV: vars.oneOf(['development', 'production', 'test'], 'development'),
    LOG_LEVEL: vars.oneOf(['debug', 'info', 'warn', 'error'], 'info'),
    LOG_FORMAT: describe(z.preprocess(unsetIfEmpty, z.enum(['pretty', 'json']).optional()), {
      expected: {
        en: 'pretty or json (default: pretty, json when NODE_ENV=production)',
        ja: 'pretty か json（既定は pretty、NODE_ENV=production のときは json）',
      },
      example: 'json',
    }),
    /** `GET /events` (audit events for the console): `auto` is on outside production only. */
    EVENTS_STREAM: vars.oneOf(['auto', 'on', 'off'], 'auto'),
    /** The live console's address, linked from each service's landing page (`GET /`). */
    CONSOLE_URL: vars.url('http://localhost:7003', 'http://localhost:7003'),
  };
}
