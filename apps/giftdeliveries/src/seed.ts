import type { Logger } from '@repo/logger';
import type { DeliveriesService } from './deliveries-service.js';
import type { DeliveryStore } from './store/delivery-store.js';

/** The demo's visible main job: a few deliveries across the world, one of them over an ocean. */
export const SAMPLE_DELIVERIES = [
  { recipient: 'Yuki', destination: 'Kyoto, JP', gift: 'a wooden sleigh' },
  { recipient: 'Haruto', destination: 'Sapporo, JP', gift: 'ski goggles' },
  { recipient: 'Camille', destination: 'Paris, FR', gift: 'a scarf' },
  { recipient: 'Lucas', destination: 'São Paulo, BR', gift: 'a football' },
  { recipient: 'Maya', destination: 'New York, US', gift: 'a snow globe' },
  { recipient: 'Aino', destination: 'Helsinki, FI', gift: 'reindeer socks' },
] as const;

/** Whether to seed: `auto` means only in development. */
export function shouldSeed(setting: 'auto' | 'true' | 'false', nodeEnv: string): boolean {
  return setting === 'true' || (setting === 'auto' && nodeEnv === 'development');
}

/** Enqueues the samples into an empty store (a store with any delivery is left alone). */
export async function seedSampleDeliveries(
  store: DeliveryStore,
  deliveries: DeliveriesService,
  logger: Logger,
): Promise<number> {
  if ((await store.count()) > 0) return 0;
  for (const [index, sample] of SAMPLE_DELIVERIES.entries()) {
    // A key per sample, so two processes seeding one empty store at once still add each once.
    await deliveries.accept(sample, 'sample-seed', `sample-${index + 1}`);
  }
  logger.info('sample deliveries enqueued (empty store, development)', {
    count: SAMPLE_DELIVERIES.length,
    destinations: SAMPLE_DELIVERIES.map((s) => s.destination),
  });
  return SAMPLE_DELIVERIES.length;
}
