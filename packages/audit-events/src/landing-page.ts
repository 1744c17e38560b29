import type { RequestHandler } from 'express';

export interface LandingPageOptions {
  name: string;
  /** One or two sentences: what the service is. */
  description: string;
  /** Where the live console is (`http://localhost:7003`). */
  consoleUrl: string;
  /** Extra links: text → path or URL. */
  links?: Readonly<Record<string, string>>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /` for a browser: a small HTML page naming the service and linking to the console; a
 * client that asks for JSON gets the same facts as JSON.
 */
export function landingPage({
  name,
  description,
  consoleUrl,
  links = {},
}: LandingPageOptions): RequestHandler {
  const items = Object.entries({ 'Live console': consoleUrl, ...links })
    .map(([text, href]) => `<li><a href="${escape(href)}">${escape(text)}</a></li>`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(name)}</title></head><body><h1>${escape(name)}</h1><p>${escape(description)}</p><ul>${items}</ul><p>Part of the Gift Deliveries OAuth 2.0 machine-to-machine demo.</p></body></html>`;
  return (req, res, next) => {
    if (req.accepts(['json', 'html']) !== 'html') return next();
    res.type('html').send(html);
  };
}
