import { describe, expect, it } from 'vitest';
import {
  deliveryListQuerySchema,
  deliveryViewSchema,
  newDeliverySchema,
  type DeliveryView,
} from '../src/index.js';

const messageOf = (result: { error?: { issues: { message: string }[] } }) =>
  result.error?.issues[0]?.message;

const CONTROL = (field: string) => `${field} must not contain control characters.`;

describe('the POST /deliveries body', () => {
  it('trims the fields and leaves the optional ones out', () => {
    expect(newDeliverySchema.parse({ recipient: ' Yuki ', destination: 'Kyoto' })).toEqual({
      recipient: 'Yuki',
      destination: 'Kyoto',
    });
  });

  it.each([
    [{ destination: 'Kyoto' }, 'recipient is required.'],
    [{ recipient: null, destination: 'Kyoto' }, 'recipient is required.'],
    [{ recipient: 'Yuki', destination: 'Kyoto', gift: '' }, 'gift must not be empty.'],
    [{ recipient: 'Yuki', destination: 'Kyoto', origin: ['Oulu'] }, 'origin must be a text.'],
    [
      { recipient: 'x'.repeat(101), destination: 'Kyoto' },
      'recipient must be at most 100 characters.',
    ],
    [{ recipient: 'Yuki', destination: 'Kyoto', to: 1, from: 2 }, 'Unknown field(s): to, from.'],
    [{ recipient: 'Zed\u0000Hidden', destination: 'Kyoto' }, CONTROL('recipient')],
    [{ recipient: 'Yuki', destination: 'Kyoto\u001b[2K' }, CONTROL('destination')],
    [{ recipient: 'Yuki', destination: 'Kyoto', origin: 'Oulu\u007f' }, CONTROL('origin')],
    [{ recipient: 'Yuki', destination: 'Kyoto', gift: 'Tea\u009b2J' }, CONTROL('gift')],
    [{ recipient: 'Yuki\u2028', destination: 'Kyoto' }, CONTROL('recipient')],
    [{ recipient: 'Yuki', destination: 'Kyoto\u2029' }, CONTROL('destination')],
    [{ recipient: '\tYuki', destination: 'Kyoto' }, CONTROL('recipient')],
    ['Yuki', 'The request body must be a JSON object.'],
    [undefined, 'The request body must be a JSON object.'],
  ])('says what is wrong with %j', (body, message) => {
    expect(messageOf(newDeliverySchema.safeParse(body))).toBe(message);
  });

  it('keeps text that is merely not ASCII', () => {
    expect(newDeliverySchema.parse({ recipient: 'Zoë 由紀', destination: 'Ḩalab' })).toEqual({
      recipient: 'Zoë 由紀',
      destination: 'Ḩalab',
    });
  });
});

describe('the GET /deliveries query', () => {
  it('defaults the limit to 50 and ignores other parameters', () => {
    expect(deliveryListQuerySchema.parse({ page: '2' })).toEqual({ limit: 50 });
    expect(deliveryListQuerySchema.parse({ status: 'failed', limit: '200' })).toEqual({
      status: 'failed',
      limit: 200,
    });
  });

  it.each([
    [{ status: 'done' }, 'status must be one of pending, planned, failed.'],
    [{ status: ['pending', 'failed'] }, 'status must be one of pending, planned, failed.'],
    [{ limit: '0' }, 'limit must be an integer from 1 to 200.'],
    [{ limit: '201' }, 'limit must be an integer from 1 to 200.'],
    [{ limit: '1.5' }, 'limit must be an integer from 1 to 200.'],
    [{ limit: ['1', '2'] }, 'limit must be an integer from 1 to 200.'],
  ])('refuses %j', (query, message) => {
    expect(messageOf(deliveryListQuerySchema.safeParse(query))).toBe(message);
  });
});

describe('the delivery view', () => {
  const view: DeliveryView = {
    id: 'd1',
    status: 'planned',
    recipient: 'Yuki',
    destination: 'Kyoto',
    origin: 'Rovaniemi, FI',
    attempts: 1,
    route: {
      mode: 'road',
      from: { name: 'Rovaniemi', country: 'FI', lat: 66.5, lng: 25.72 },
      to: { name: 'Kyoto', country: 'JP', lat: 35.02, lng: 135.75 },
      distanceKm: 9100.4,
      durationMinutes: 6120,
      steps: [{ action: 'Head south to Oulu', distanceKm: 190, durationMinutes: 130 }],
    },
    createdAt: '2026-12-24T00:00:00.000Z',
    updatedAt: '2026-12-24T00:00:01.000Z',
    plannedAt: '2026-12-24T00:00:01.000Z',
  };

  it('accepts a planned delivery', () => {
    expect(deliveryViewSchema.parse(view)).toEqual(view);
  });

  it('refuses bookkeeping fields and times that are not ISO 8601', () => {
    expect(deliveryViewSchema.safeParse({ ...view, leaseOwner: 'w1' }).success).toBe(false);
    expect(deliveryViewSchema.safeParse({ ...view, createdAt: 1766534400000 }).success).toBe(false);
  });
});
