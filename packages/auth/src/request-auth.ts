import type { AuthResult } from 'express-oauth2-jwt-bearer';

/** Each request's verification result, behind the `req.auth` accessor. */
const authResults = new WeakMap<object, AuthResult | undefined>();

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
    get(this: object) {
      return authResults.get(this);
    },
    set(this: object, value: AuthResult | undefined) {
      authResults.set(this, value);
    },
  });
}
