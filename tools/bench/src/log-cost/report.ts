import { LOG_LINE_BUDGET_MICROS, type LogCostResult } from '../phases/log-cost.js';
import { fmt, table } from '../report.js';

/** The logging section of docs/benchmarks.md. */
export function logCostSection(l: LogCostResult): string[] {
  const us = (value: number) => `${fmt(value, 1)} µs`;
  const rest = l.line - l.redact - l.json;
  const over = l.line > LOG_LINE_BUDGET_MICROS;
  return [
    `CPU time in the bench process (\`process.cpuUsage\`), one unit of work per turn of the event loop as a server does it, median of 5 × 2 000 turns less an empty turn measured alongside. The services' logger (@repo/logger: winston, JSON lines, redaction) writes to a sink that drops the bytes, so the figures are the cost of making a line, not of the terminal or pipe it goes to.`,
    '',
    table(
      ['what', 'CPU per request'],
      [
        [
          'requestLogger, whole path of one request (id, child logger, header, line at finish)',
          us(l.perRequest),
        ],
        ["the request line through the services' logger", `**${us(l.line)}**`],
        ['— of which redaction of its fields (`redact`)', us(l.redact)],
        ['— of which `JSON.stringify` + control escaping', us(l.json)],
        ['— the rest: winston (format pipeline, Stream transport, objectMode streams)', us(rest)],
        [
          'a bare winston logger writing the same line (printf JSON.stringify only)',
          us(l.bareWinston),
        ],
        ['a request id (`randomUUID`)', us(l.uuid)],
        ['a child logger (`logger.child`)', us(l.child)],
        ['a line below the level (dropped)', us(l.dropped)],
      ],
    ),
    '',
    over
      ? `- The line costs ${us(l.line)}, above the ${LOG_LINE_BUDGET_MICROS} µs budget. A bare winston logger writing the same line costs ${us(l.bareWinston)}, so ${l.bareWinston >= l.line ? 'in this run no less than the whole line (the two are measured apart: the difference is noise)' : `${fmt((100 * l.bareWinston) / l.line)} % of the line`} is winston's own machinery (each line goes through its format chain and then two object-mode streams, the logger's and the transport's, before the sink); our redaction adds ${us(l.redact)} and JSON with escaping ${us(l.json)}.`
      : `- The line costs ${us(l.line)}, within the ${LOG_LINE_BUDGET_MICROS} µs budget.`,
    l.perRequest > l.line
      ? `- Per request, requestLogger costs ${us(l.perRequest)} in all: the line plus ${us(l.perRequest - l.line)} for the request id, the child logger handlers use, the header and the finish listener.`
      : `- Per request, requestLogger costs ${us(l.perRequest)} in all, no more than the line measured apart (${us(l.line)}): the request id and the child logger (${us(l.uuid + l.child)} measured apart) are within this measurement's noise.`,
    `- A line below the level still costs ${us(l.dropped)}: winston takes every line through its logger stream before our format drops it.`,
    '',
  ];
}
