import { describe, expect, it } from 'vitest';
import { balancedOrder } from '../src/side-by-side.js';

describe('balancedOrder (the overhead phase turn order)', () => {
  it.each([2, 4, 6])(
    'over %i rounds puts each variant in every position and after every other once',
    (n) => {
      const rows = Array.from({ length: n }, (_, round) => balancedOrder(n, round));
      for (const row of rows) expect([...row].sort()).toEqual([...Array(n).keys()]);
      for (let position = 0; position < n; position++) {
        expect(rows.map((row) => row[position]).sort()).toEqual([...Array(n).keys()]);
      }
      const follows = rows.flatMap((row) => row.slice(1).map((b, i) => `${row[i]}→${b}`));
      expect(new Set(follows).size).toBe(n * (n - 1));
    },
  );

  it('starts again after n rounds', () => {
    expect(balancedOrder(4, 4)).toEqual(balancedOrder(4, 0));
    expect(balancedOrder(4, 1)).toEqual([1, 2, 0, 3]);
  });
});
