import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** One request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The form body, parsed; empty for GETs. */
  form: Record<string, string>;
}

export interface FakeAnswer {
  status: number;
  data?: unknown;
  headers?: Record<string, string>;
}

/** What the handler may do: answer, or throw to simulate a network error. */
export type FakeHandler = (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>;

/**
 * An axios instance whose adapter is a function, and a `fetch` answered by the same function: no
 * sockets, and every request recorded. Like the real adapters, axios applies `validateStatus`.
 */
export function fakeHttp(handler: FakeHandler): {
  http: AxiosInstance;
  fetch: typeof globalThis.fetch;
  requests: SeenRequest[];
} {
  const requests: SeenRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const seen = { method: init?.method ?? 'GET', url: String(input), headers, form: {} };
    requests.push(seen);
    const answer = await handler(seen);
    const body =
      typeof answer.data === 'string' ? answer.data : JSON.stringify(answer.data ?? null);
    return new Response(body, { status: answer.status, headers: answer.headers });
  };
  const adapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(AxiosHeaders.from(config.headers).toJSON())) {
      if (typeof value === 'string') headers[key.toLowerCase()] = value;
    }
    const url = new URL(config.url ?? '', config.baseURL).toString();
    const form =
      typeof config.data === 'string' ? Object.fromEntries(new URLSearchParams(config.data)) : {};
    const seen: SeenRequest = {
      method: (config.method ?? 'get').toUpperCase(),
      url,
      headers,
      form,
    };
    requests.push(seen);
    const answer = await handler(seen);
    const response: AxiosResponse = {
      status: answer.status,
      statusText: String(answer.status),
      data: answer.data,
      headers: AxiosHeaders.from(answer.headers ?? {}),
      config,
    };
    if (config.validateStatus && !config.validateStatus(answer.status)) {
      throw new AxiosError(
        `Request failed with status code ${answer.status}`,
        AxiosError.ERR_BAD_RESPONSE,
        config,
        undefined,
        response,
      );
    }
    return response;
  };
  return { http: axios.create({ adapter }), fetch, requests };
}

/** A JWT-looking token that is unique per number (the provider never verifies it). */
export const tokenNumber = (n: number) => `eyJhbGciOiJub25lIn0.eyJuIjo${n}fQ.sig${n}`;

/** A connection refused, as axios reports it. */
export const connectionRefused = () =>
  new AxiosError('connect ECONNREFUSED 127.0.0.1:4000', 'ECONNREFUSED');
