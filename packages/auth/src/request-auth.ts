import type { AuthResult } from 'express-oauth2-jwt-bearer';

/** Each request's verification result, behind the `req.auth` accessor. */
const authResults = new WeakMap<object, AuthResult | undefined>();

function getAuth(this: object): AuthResult | undefined {
  return authResults.get(this);
}

function setAuth(this: object, value: AuthResult | undefined): void {
  authResults.set(this, value);
}

/**
 * The prototype that every Express app's `app.request` derives from (express's own `request`),
 * found by walking up from `appRequest` past the app prototypes (they own an `app` property);
 * null when `appRequest` is not an app's (a request Express did not dispatch).
 */
function expressRequestPrototype(appRequest: object): object | null {
  if (!Object.hasOwn(appRequest, 'app')) return null;
  for (;;) {
    const parent = Object.getPrototypeOf(appRequest) as object | null;
    if (parent === null || !Object.hasOwn(parent, 'app')) return parent;
    appRequest = parent;
  }
}

/**
 * Makes `req.auth` cheap to set. Express switches every request to its app's prototype
 * (`Object.setPrototypeOf`), and V8 cannot share hidden classes among objects whose prototype
 * was changed: each property then added to a request builds a new hidden class, measured here at
 * 3–5 µs (and old-space garbage) per request, more than the cached verification it records.
 * `auth` is therefore defined once, on express's request prototype, as an accessor backed by a
 * WeakMap: `req.auth = x` and `req.auth` behave as before (express-oauth2-jwt-bearer assigns
 * it the same way), at the cost of a WeakMap entry instead. The accessor is shared by every app
 * of that express copy, so a request keeps its `auth` when it moves between mounted apps. A
 * request that has an own `auth` already, or that Express did not dispatch, is left as it is.
 *
 * What differs from an own property, for every app of that express copy: `auth` is not listed
 * by `Object.keys(req)` or copied by `{ ...req }`, `delete req.auth` leaves the value in place,
 * and a default put on one app's `app.request.auth` no longer reaches its requests.
 *
 * @see https://v8.dev/blog/fast-properties
 */
export function prepareRequestAuth(req: object): void {
  const appRequest = Object.getPrototypeOf(req) as object | null;
  // Once the accessor (or any other `auth`) is on the chain, there is nothing to do.
  if (appRequest === null || 'auth' in appRequest) return;
  const prototype = expressRequestPrototype(appRequest);
  if (prototype === null) return;
  Object.defineProperty(prototype, 'auth', {
    configurable: true,
    enumerable: false,
    get: getAuth,
    set: setAuth,
  });
}

/**
 * Per app prototype (`app.request`): whether its requests' `auth` is this module's accessor,
 * decided at the first request set through {@link setRequestAuth} (an `auth` defined on the
 * chain later is not seen).
 */
const governedPrototypes = new WeakMap<object, boolean>();

function governs(appRequest: object): boolean {
  let governed = governedPrototypes.get(appRequest);
  if (governed === undefined) {
    let owner: object | null = appRequest;
    while (owner !== null && !Object.hasOwn(owner, 'auth')) {
      owner = Object.getPrototypeOf(owner) as object | null;
    }
    governed = owner !== null && Object.getOwnPropertyDescriptor(owner, 'auth')?.set === setAuth;
    governedPrototypes.set(appRequest, governed);
  }
  return governed;
}

/**
 * `req.auth = value`, for a request prepared by {@link prepareRequestAuth}, without V8's slow
 * path: a store to an accessor on a request (whose hidden class no inline cache knows) goes
 * through the runtime, measured at ~2 µs, while the WeakMap behind the accessor takes ~0.3 µs.
 * Any request the accessor does not govern is assigned to as usual.
 */
export function setRequestAuth(req: object, value: AuthResult): void {
  const appRequest = Object.getPrototypeOf(req) as object | null;
  if (appRequest !== null && governs(appRequest) && !Object.hasOwn(req, 'auth')) {
    authResults.set(req, value);
  } else {
    (req as { auth?: AuthResult }).auth = value;
  }
}
