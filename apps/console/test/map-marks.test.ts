import { describe, expect, it } from 'vitest';
import { deliveryMarks } from '../web/map-marks.js';

const planned = {
  id: 'd1',
  status: 'planned',
  origin: 'Rovaniemi, FI',
  recipient: 'Aiko',
  destination: 'Oslo, NO',
  route: {
    from: { lat: 66.5, lng: 25.7 },
    to: { lat: 59.9, lng: 10.7 },
    geometry: {
      type: 'LineString',
      coordinates: [
        [25.7, 66.5],
        [18, 63],
        [10.7, 59.9],
      ],
    },
  },
};

describe('the map marks', () => {
  it('draws a planned route from its geometry, else as a straight line between its ends', () => {
    const { routes } = deliveryMarks([
      planned,
      { ...planned, id: 'd2', route: { ...planned.route, geometry: undefined } },
    ]);
    expect(routes.map((route) => route.line.coordinates.length)).toEqual([3, 2]);
    expect(routes[1]!.line.coordinates).toEqual([
      [25.7, 66.5],
      [10.7, 59.9],
    ]);
    expect(routes[0]!.to).toEqual([10.7, 59.9]);
  });

  it('marks pending and failed deliveries at their origin, side by side, with why', () => {
    const { waiting } = deliveryMarks([
      {
        id: 'p',
        status: 'pending',
        origin: 'Rovaniemi, FI',
        recipient: 'Ken',
        destination: 'Kyoto, JP',
        lastError: 'geocode failed',
      },
      planned,
      {
        id: 'f',
        status: 'failed',
        origin: 'Rovaniemi, FI',
        recipient: 'Mia',
        destination: 'Nowhere',
        failureReason: 'geocode refused',
      },
      { id: 'x', status: 'failed', origin: 'Elsewhere', recipient: 'Li', destination: 'Nowhere' },
    ]);
    expect(waiting).toEqual([
      {
        id: 'p',
        status: 'pending',
        at: [25.7, 66.5],
        slot: 0,
        title: 'Ken — Kyoto, JP: pending (geocode failed)',
      },
      {
        id: 'f',
        status: 'failed',
        at: [25.7, 66.5],
        slot: 1,
        title: 'Mia — Nowhere: failed (geocode refused)',
      },
      // No planned delivery says where "Elsewhere" is: listed, not drawn.
      { id: 'x', status: 'failed', slot: 0, title: 'Li — Nowhere: failed' },
    ]);
  });

  it('words the status of a title as told (the page passes its Japanese words)', () => {
    const { waiting } = deliveryMarks(
      [{ id: 'x', status: 'failed', origin: 'Elsewhere', recipient: 'Li', destination: 'Nowhere' }],
      (status) => (status === 'failed' ? '失敗' : '保留中'),
    );
    expect(waiting.map((mark) => mark.title)).toEqual(['Li — Nowhere: 失敗']);
  });
});
