import type { Logger } from '@repo/logger';
import type { TokenProvider } from '@repo/token-client';

/** One parsed Server-Sent Event: its `data` as JSON, and its `id`. */
export type UpstreamListener = (event: Record<string, unknown>) => void;

/**
 * Follows one service's `GET /events` with the console's token (client credentials, like any
 * client), reconnecting after a second with `Last-Event-ID` when the stream ends or fails.
 */
export function followEvents(options: {
  service: string;
  url: string;
  tokens: TokenProvider;
  logger: Logger;
  onEvent: UpstreamListener;
  onState?: (state: 'connected' | 'disconnected', reason?: string) => void;
}): () => void {
  const { service, url, tokens, logger, onEvent, onState } = options;
  let lastId = '';
  let stopped = false;
  let controller: AbortController | undefined;
  let warned = '';

  const connect = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const token = await tokens.getAccessToken();
        const response = await fetch(url, {
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'text/event-stream',
            ...(lastId ? { 'Last-Event-ID': lastId } : {}),
          },
          signal: controller.signal,
        });
        if (response.status === 401) tokens.invalidate(token);
        if (!response.ok || !response.body) {
          throw new Error(
            `HTTP ${response.status} ${response.headers.get('www-authenticate') ?? ''}`,
          );
        }
        onState?.('connected');
        warned = '';
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) lastId = line.slice(4);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) {
              try {
                onEvent(JSON.parse(data) as Record<string, unknown>);
              } catch {
                // A malformed event is skipped; the next one stands alone.
              }
            }
          }
        }
        throw new Error('stream ended');
      } catch (error) {
        if (stopped) return;
        const reason = (error as Error).message;
        onState?.('disconnected', reason);
        if (reason !== warned) {
          warned = reason;
          logger.warn('event stream unavailable, retrying', { service, reason });
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };
  void connect();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
