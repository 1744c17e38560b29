import axios, { type AxiosInstance } from 'axios';
import {
  parseRetryAfter,
  TokenEndpointUnavailableError,
  TokenRequestError,
} from '@repo/token-client';
import type { z } from '@repo/config';
import {
  directionsSchema,
  oauthErrorSchema,
  placeSchema,
  type Directions,
  type Place,
  type TravelMode,
} from '@repo/contracts';

/**
 * Why planning a delivery stopped. `permanent` failures (an unknown place, a request the API
 * calls malformed, an answer outside the contract) mark the delivery failed; the others keep it
 * pending for a later attempt.
 */
export class PlanningError extends Error {
  override readonly name = 'PlanningError';
  constructor(
    /** The kind of trouble, which callers reading the delivery may see ("no access token"). */
    readonly summary: string,
    readonly permanent: boolean,
    /** The API's error code, when it gave one (`not_found`, `no_route`). */
    readonly code?: string,
    /** What only this service's log should say (which variable to fix, internal addresses). */
    detail?: string,
    /** How long the API asked to wait (`Retry-After` of a 429 or 503), in ms: the retry is never sooner. */
    readonly retryAfterMs?: number,
  ) {
    super(detail ? `${summary}: ${detail}` : summary);
  }
}

/** The issues of an answer outside its schema, on one line: `lat: Invalid input: expected number…`. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const at = issue.path.length > 0 ? issue.path.join('.') : 'the answer';
    return `${at}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/**
 * Reads an answer with its @repo/contracts schema. A mismatch is permanent: asking again gets
 * the same answer, and guessing at another shape would store a wrong route.
 */
function parseAnswer<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new PlanningError(
    `${what}: the answer does not match the worldmappers-api contract`,
    true,
    undefined,
    describeIssues(parsed.error),
  );
}

/** An error answer's status, and its `{error, error_description}` when it has that shape. */
function describeApiError(status: number, data: unknown): { code?: string; text: string } {
  const body = oauthErrorSchema.safeParse(data);
  if (!body.success) return { text: `HTTP ${status}` };
  const { error, error_description: description } = body.data;
  return { code: error, text: `HTTP ${status} ${error}${description ? `: ${description}` : ''}` };
}

/**
 * Turns anything thrown while calling worldmappers-api into a {@link PlanningError}: only what
 * retrying cannot fix is permanent (404 `not_found`, 400 `invalid_request`).
 */
export function classify(error: unknown, what: string): PlanningError {
  if (error instanceof PlanningError) return error;
  if (error instanceof TokenRequestError) {
    // A configuration problem: fixable without losing the delivery, so it stays pending.
    return new PlanningError('no access token', false, error.code, error.message);
  }
  if (error instanceof TokenEndpointUnavailableError) {
    return new PlanningError('authorization server unavailable', false, undefined, error.message);
  }
  if (axios.isAxiosError(error)) {
    if (!error.response) {
      return new PlanningError(
        `worldmappers-api unreachable during ${what} (${error.code ?? error.message})`,
        false,
      );
    }
    const { status, data } = error.response;
    const { code, text } = describeApiError(status, data);
    const permanent = status === 404 || status === 400 || status === 422;
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfter(error.response.headers?.['retry-after'])
        : undefined;
    return new PlanningError(`${what} refused`, permanent, code, text, retryAfterMs);
  }
  return new PlanningError(
    `${what} failed`,
    false,
    undefined,
    (error as Error)?.message ?? String(error),
  );
}

/** The two worldmappers-api calls planning needs, over an axios instance that adds the token. */
export class WorldmappersClient {
  constructor(private readonly http: AxiosInstance) {}

  /** `GET /api/location/geocode?address=` → the most likely place. */
  async geocode(address: string): Promise<Place> {
    const what = `geocoding "${address}"`;
    try {
      const res = await this.http.get('/api/location/geocode', { params: { address } });
      return parseAnswer(placeSchema, res.data, what);
    } catch (error) {
      throw classify(error, what);
    }
  }

  /** `GET /api/directions?origin=&destination=&mode=`. */
  async directions(origin: string, destination: string, mode: TravelMode): Promise<Directions> {
    const what = `directions ${mode} from "${origin}" to "${destination}"`;
    try {
      const res = await this.http.get('/api/directions', {
        params: { origin, destination, mode },
      });
      return parseAnswer(directionsSchema, res.data, what);
    } catch (error) {
      throw classify(error, what);
    }
  }
}
