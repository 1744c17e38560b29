import type { RequestHandler } from 'express';
import { invalidRequest } from '@repo/http';

// RFC 9110 §7.2 / RFC 3986 §3.2.2: reg-name or IP literal, then an optional port.
const HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{0,5}))?$/;

/** Whether a Host header value is one a URL can be built on (a port from 1 to 65535 if any). */
export function isValidHost(host: string): boolean {
  const match = HOST.exec(host);
  if (!match) return false;
  const port = match[1];
  if (port !== undefined && port !== '' && Number(port) > 65535) return false;
  return URL.canParse(`http://${host}/`);
}

/**
 * Refuses a malformed Host header (`[::1`, `a:b:c`, `localhost:99999`, empty) with 400
 * `invalid_request` before any route sees it. Nothing here builds a URL from the Host header
 * (discovery is built from the issuer), but no caller should reach a 500 with one either.
 */
export const requireValidHost: RequestHandler = (req, _res, next) => {
  const host = req.headers.host;
  if (host !== undefined && !isValidHost(host)) {
    next(invalidRequest('The Host header is not a valid host (RFC 9110 section 7.2).'));
    return;
  }
  next();
};
