import type { Environment } from './environment.ts';

/** A supabase-js request builder (PostgREST select or rpc): it takes an abort signal before it is awaited. */
export interface AbortableRequest<Result> {
  abortSignal(signal: AbortSignal): PromiseLike<Result>;
}

/**
 * Awaits a REST read, aborting it after `timeoutMs` without an answer.
 *
 * RATIONALE: a catch-up runs one read at a time (catch-up.ts), so one read that never answers (a
 * half-open connection, a proxy that swallowed the request) would stall that stream's backfill
 * for as long as the tab is open. The timer is the environment's (not `AbortSignal.timeout`), so
 * tests with their own timers control it like every other timer of the core.
 */
export async function readWithTimeout<Result>(
  env: Pick<Environment, 'timers'>,
  timeoutMs: number,
  request: AbortableRequest<Result>,
): Promise<{ readonly result: Result; readonly timedOut: boolean }> {
  const controller = new AbortController();
  const timer = env.timers.setTimeout(
    () => controller.abort(new DOMException('read timed out', 'TimeoutError')),
    timeoutMs,
  );
  try {
    const result = await request.abortSignal(controller.signal);
    return { result, timedOut: controller.signal.aborted };
  } finally {
    env.timers.clearTimeout(timer);
  }
}
