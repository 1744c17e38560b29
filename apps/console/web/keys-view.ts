/** The keys panel's rows: which key signs now, which are retired and until when. Pure. */

export interface KeyRow {
  kid: string;
  state: 'signing' | 'retired';
  /** ISO time at which a retired key leaves the JWKS, when the auth-server announced it. */
  until?: string;
}

/**
 * The signing key first, then the retired ones by the time they leave (soonest first, unknown
 * last). `retiredUntil` comes from the auth-server's last "signing keys changed" event.
 */
export function keyRows(
  kids: readonly string[],
  signingKid: string | undefined,
  retiredUntil: Readonly<Record<string, string>> = {},
): KeyRow[] {
  const rows: KeyRow[] = kids.map((kid) =>
    kid === signingKid
      ? { kid, state: 'signing' }
      : { kid, state: 'retired', ...(retiredUntil[kid] ? { until: retiredUntil[kid] } : {}) },
  );
  const rank = (row: KeyRow) =>
    row.state === 'signing' ? -Infinity : row.until ? Date.parse(row.until) : Infinity;
  return rows.sort((a, b) => rank(a) - rank(b));
}
