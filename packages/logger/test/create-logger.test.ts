import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createServiceLogger, type LoggerOptions } from '../src/create-logger.js';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJnaWZ0ZGVsaXZlcmllcyJ9.c2lnbmF0dXJlLWJ5dGVz';

function capture(options: Omit<LoggerOptions, 'stream'>) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger({ ...options, stream });
  const lines = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return text.split('\n').filter(Boolean);
  };
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line in json format', async () => {
    const { logger, lines } = capture({ service: 'svc', format: 'json' });
    logger.info('first', { n: 1 });
    logger.warn('second', { nested: { ok: true } });
    const parsed = (await lines()).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 'info', message: 'first', n: 1, service: 'svc' });
    expect(parsed[1]).toMatchObject({ level: 'warn', nested: { ok: true } });
    expect(typeof parsed[0]!.timestamp).toBe('string');
  });

  it('never prints a client secret or a token given in fields', async () => {
    const { logger, lines } = capture({ service: 'svc', format: 'json' });
    logger.info('calling', {
      client_secret: 's3cr3t-value',
      headers: { authorization: `Bearer ${JWT}` },
    });
    const out = (await lines()).join('\n');
    expect(out).not.toContain('s3cr3t-value');
    expect(out).not.toContain(JWT);
    expect(out).toMatch(/sha256:[0-9a-f]{8}/);
  });

  it('masks a JWT inside the message and inside a logged Error', async () => {
    const { logger, lines } = capture({ service: 'svc', format: 'pretty' });
    logger.error(`refused ${JWT}`, { err: new Error(`bad token ${JWT}`) });
    const out = (await lines()).join('\n');
    expect(out).not.toContain(JWT);
    expect(out).toContain('refused sha256:');
  });

  it('prints pretty lines with service, level, message and key=value fields', async () => {
    const { logger, lines } = capture({ service: 'auth-server', format: 'pretty' });
    logger.info('token issued', { client_id: 'giftdeliveries', scope: 'a b' });
    const [line] = await lines();
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} auth-server info {2}token issued client_id=giftdeliveries scope="a b"$/,
    );
  });

  it('drops lines below the level', async () => {
    const { logger, lines } = capture({ service: 'svc', format: 'json', level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    expect((await lines()).map((l) => (JSON.parse(l) as { message: string }).message)).toEqual([
      'shown',
    ]);
  });
});

describe('createServiceLogger', () => {
  async function firstLine(config: Parameters<typeof createServiceLogger>[1]) {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createServiceLogger('svc', config, stream);
    logger.debug('debug line');
    logger.warn('warn line');
    await new Promise((resolve) => setImmediate(resolve));
    return text.split('\n').filter(Boolean);
  }

  it('logs JSON at the configured level in production when no format is set', async () => {
    const lines = await firstLine({ LOG_LEVEL: 'warn', NODE_ENV: 'production' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', message: 'warn line' });
  });

  it('logs pretty lines in development, and LOG_FORMAT wins when set', async () => {
    const pretty = await firstLine({ LOG_LEVEL: 'debug', NODE_ENV: 'development' });
    expect(pretty).toHaveLength(2);
    expect(pretty[0]).toMatch(/ svc debug debug line$/);
    const json = await firstLine({
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      NODE_ENV: 'development',
    });
    expect(JSON.parse(json[0]!)).toMatchObject({ message: 'warn line' });
  });
});
