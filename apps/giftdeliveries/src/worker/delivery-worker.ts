import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@repo/logger';
import { backoffDelay } from '@repo/token-client';
import type { Delivery } from '../domain.js';
import type { DeliveryStore } from '../store/delivery-store.js';
import type { Planner } from './planner.js';
import { classify, PlanningError } from './worldmappers-client.js';

/** The delivery being planned in this async context (outbound calls send it as `X-Request-Id`). */
const planning = new AsyncLocalStorage<string>();

/** The id of the delivery whose planning is running in the caller's async context, if any. */
export const currentDeliveryId = (): string | undefined => planning.getStore();

/** Longest pause between claim attempts while the database does not answer. */
const CLAIM_RETRY_MAX_MS = 30_000;

export interface DeliveryWorkerOptions {
  store: DeliveryStore;
  /** This process's name (`REPLICA_ID`): the prefix of its claims' owner. */
  replicaId: string;
  plan: Planner;
  logger: Logger;
  /** Deliveries planned at the same time. */
  concurrency: number;
  /** Idle polling interval; `wake()` cuts it short. */
  pollMs: number;
  /** How long a claim holds before another worker may take it over. */
  leaseMs: number;
  /** Delay after the first transient failure; doubles per attempt. */
  retryBaseMs: number;
  /** Longest delay between attempts. */
  retryMaxMs: number;
  /** Jitter source of the backoff. Default `Math.random`. */
  random?: () => number;
}

/**
 * Plans pending deliveries in the background: claims due ones (a lease in the database, so a
 * crashed worker's claims come back after `leaseMs`), plans a few at a time, and records the
 * outcome only while it still holds the claim, so no delivery is planned twice.
 */
export class DeliveryWorker {
  /** Names this worker's claims in the database: unique even if two processes share a REPLICA_ID. */
  readonly owner: string;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly active = new Map<string, Promise<void>>();
  private wakeUp: (() => void) | undefined;
  private readonly random: () => number;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.owner = `${options.replicaId}:${randomUUID().slice(0, 8)}`;
    this.random = options.random ?? Math.random;
  }

  /** Deliveries being planned right now. */
  get inFlight(): number {
    return this.active.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
    this.options.logger.info('delivery worker started', {
      owner: this.owner,
      concurrency: this.options.concurrency,
    });
  }

  /** Looks for due work now instead of at the next poll (a delivery was just accepted). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops claiming, lets in-flight plans finish for up to `graceMs`, then gives back the claims
   * still open (they are due again at once for the next process).
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    const pending = [...this.active.values()];
    if (pending.length > 0) {
      this.options.logger.info('waiting for in-flight deliveries', { inFlight: pending.length });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(pending),
        new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    const unfinished = [...this.active.keys()];
    if (unfinished.length > 0) {
      try {
        const released = await this.options.store.release(unfinished, this.owner);
        this.options.logger.warn('released unfinished deliveries', { released });
      } catch (error) {
        // Their leases expire by themselves: another worker takes them over then.
        this.options.logger.error('could not release unfinished deliveries', { err: error });
      }
    }
    this.options.logger.info('delivery worker stopped');
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  private async loop(): Promise<void> {
    const { store, concurrency, leaseMs, pollMs, logger } = this.options;
    let failures = 0;
    while (this.running) {
      const free = concurrency - this.active.size;
      if (free > 0) {
        let claimed: Delivery[];
        try {
          claimed = await store.claimDue(this.owner, free, leaseMs);
        } catch (error) {
          // The database is away (a restart): keep polling, ever more slowly, until it is back.
          failures += 1;
          const retryInMs = backoffDelay(failures, {
            baseMs: pollMs,
            maxMs: Math.max(pollMs, CLAIM_RETRY_MAX_MS),
            random: this.random,
          });
          logger.error('could not claim deliveries', { err: error, failures, retryInMs });
          await this.sleep(retryInMs);
          continue;
        }
        if (failures > 0) {
          logger.info('claiming deliveries again', { after: failures });
          failures = 0;
        }
        if (!this.running) {
          await store
            .release(
              claimed.map((d) => d.id),
              this.owner,
            )
            .catch(() => undefined);
          break;
        }
        for (const delivery of claimed) {
          const work = planning
            .run(delivery.id, () => this.process(delivery))
            .finally(() => {
              this.active.delete(delivery.id);
              this.wake();
            });
          this.active.set(delivery.id, work);
        }
        // A full batch means more may be due: look again at once.
        if (claimed.length > 0 && claimed.length === free) continue;
      }
      await this.sleep(pollMs);
    }
  }

  private async process(delivery: Delivery): Promise<void> {
    const { store, plan, logger, retryBaseMs, retryMaxMs } = this.options;
    const log = logger.child({ deliveryId: delivery.id });
    const attempt = delivery.attempts + 1;
    log.debug('planning delivery', {
      origin: delivery.origin,
      destination: delivery.destination,
      attempt,
    });
    try {
      const route = await plan(delivery);
      if (await store.markPlanned(delivery.id, this.owner, route)) {
        log.info('delivery planned', {
          destination: delivery.destination,
          route: `${route.from.name} → ${route.to.name}${route.to.country ? `, ${route.to.country}` : ''}`,
          mode: route.mode,
          distanceKm: Math.round(route.distanceKm),
          durationMinutes: Math.round(route.durationMinutes),
          steps: route.steps.length,
          firstSteps: route.steps.slice(0, 3).map((step) => step.action),
          attempt,
        });
      } else {
        log.warn('claim lost before the plan was stored; leaving it to its new owner');
      }
    } catch (thrown) {
      const error = thrown instanceof PlanningError ? thrown : classify(thrown, 'planning');
      try {
        if (error.permanent) {
          await store.markFailed(delivery.id, this.owner, error.message);
          log.warn('delivery failed', { destination: delivery.destination, reason: error.message });
        } else {
          // worldmappers-api's Retry-After (its rate limit) is honoured like the auth-server's.
          const delayMs = backoffDelay(attempt, {
            baseMs: retryBaseMs,
            maxMs: retryMaxMs,
            retryAfterMs: error.retryAfterMs,
            random: this.random,
          });
          await store.reschedule(delivery.id, this.owner, error.summary, Date.now() + delayMs);
          log.warn('delivery planning postponed', {
            destination: delivery.destination,
            reason: error.message,
            attempt,
            retryInMs: delayMs,
          });
        }
      } catch (storeError) {
        // The claim expires by itself and the delivery comes back: nothing is lost.
        log.error('could not record the planning outcome', { err: storeError });
      }
    }
  }
}
