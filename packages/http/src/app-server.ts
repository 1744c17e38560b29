import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Express } from 'express';

type NodeConstructor = typeof IncomingMessage | typeof ServerResponse;

/**
 * A constructor Node's HTTP server can use for its requests (or responses) whose instances are
 * built by `base` but have `prototype` as their prototype from the start.
 */
function constructorWithPrototype(base: NodeConstructor, prototype: object) {
  // A plain function, not a class: `new` gives `this` the prototype below, and Node's own
  // constructors are plain functions that initialise whatever `this` they are called on.
  function Constructor(this: object, ...args: unknown[]) {
    Reflect.apply(base, this, args);
  }
  Constructor.prototype = prototype;
  return Constructor;
}

const isClass = (constructor: NodeConstructor) =>
  /^class\b/.test(Function.prototype.toString.call(constructor));

/**
 * An HTTP server for an Express app whose requests and responses are created with the app's own
 * prototypes (`app.request`, `app.response`) instead of being switched to them on arrival.
 *
 * Express calls `Object.setPrototypeOf` on every request and response it handles. V8 then gives
 * each of those objects a hidden class of its own: every property Express, its middleware or a
 * handler adds to one builds a new hidden class, and every property read from one misses V8's
 * inline caches. Created with the right prototype, Express's switch is a no-op and all requests
 * share their hidden classes (`npm run bench` compares the two servers: docs/benchmarks.md).
 * Behaviour is unchanged: the objects are the same `IncomingMessage`/`ServerResponse` instances
 * with the same prototype chain Express gives them. An app mounted inside another still has its
 * requests switched to its own prototypes on the way in and back on the way out, as before.
 *
 * @see https://v8.dev/blog/fast-properties
 * @see https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
 */
export function createAppServer(app: Express): Server {
  // Should Node's constructors ever become classes (which cannot be called on a given `this`),
  // serve as Express alone would rather than fail on the first request.
  if ([IncomingMessage, ServerResponse].some(isClass)) return createServer(app);
  return createServer(
    {
      IncomingMessage: constructorWithPrototype(IncomingMessage, app.request) as never,
      ServerResponse: constructorWithPrototype(ServerResponse, app.response) as never,
    },
    app,
  );
}
