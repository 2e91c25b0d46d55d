import type { SupabaseClient } from '@supabase/supabase-js';
import { BridgeError } from './http-error.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type IdempotencyClaim,
} from './shared-store.ts';

export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotencyOptions {
  service: SupabaseClient;
  caller: string;
  key: string;
  requestHash: string;
  ttlSeconds: number;
  sleep: (ms: number) => Promise<void>;
  /** The injected clock (milliseconds since the epoch) that bounds the wait for a first request. */
  now: () => number;
  /** The first claim, already made by the admission (saves a round trip); claimed here without it. */
  firstClaim?: IdempotencyClaim;
}

/** How long a second request waits for the first one holding its key, and how often it looks. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs `work` once per (caller, key): a repeat gets the first answer, a concurrent repeat waits
 * for it. A BridgeError answer is stored too (the same request would be refused the same way);
 * an unexpected failure releases the key so that a retry can run.
 */
export async function idempotent(
  options: IdempotencyOptions,
  work: () => Promise<StoredAnswer>,
): Promise<StoredAnswer & { replayed: boolean }> {
  const { service, caller, key, requestHash, ttlSeconds, sleep, now } = options;
  const deadline = now() + WAIT_FOR_FIRST_MS;
  let first = options.firstClaim;
  for (;;) {
    const claim = first ?? (await claimIdempotencyKey(service, caller, key, requestHash, ttlSeconds));
    first = undefined;
    if (claim.state === 'done') return { status: claim.status, body: claim.body, replayed: true };
    if (claim.state === 'mismatch') {
      throw new BridgeError(
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request body',
      );
    }
    if (claim.state === 'claimed') break;
    if (now() > deadline) {
      throw new BridgeError(
        409,
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still running; retry later',
      );
    }
    await sleep(POLL_MS);
  }
  let answer: StoredAnswer;
  try {
    answer = await work();
  } catch (error) {
    if (!(error instanceof BridgeError) || error.status >= 500) {
      await releaseIdempotencyKey(service, caller, key).catch(() => {});
      throw error;
    }
    answer = {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      },
    };
  }
  await completeIdempotencyKey(service, caller, key, answer.status, answer.body);
  return { ...answer, replayed: false };
}
