import type { RealtimeServer } from './realtime-server.ts';
import { BridgeRequestError } from './bridge-api.ts';

/**
 * The promise as a caller gets it, except that a rejection nobody is waiting for is logged instead
 * of becoming an unhandled rejection (which ends a Node process by default).
 *
 * RATIONALE: the seed's call sites call `broadcastToOrganization(…)` without `await`, written
 * when it returned nothing. A caller that awaits (or calls `then`/`catch`/`finally`) still gets
 * the rejection and is not logged for; one that does not gets one log line with the bridge's
 * status, code and words.
 */
function loggedUnlessObserved<T>(promise: Promise<T>, what: string, log: (line: string) => void): Promise<T> {
  let observed = false;
  promise.catch((error: unknown) => {
    if (!observed) log(`${what} failed, and nothing awaited it: ${describe(error)}`);
  });
  const observe = (): Promise<T> => {
    observed = true;
    return promise;
  };
  return {
    then: (onFulfilled, onRejected) => observe().then(onFulfilled, onRejected),
    catch: (onRejected) => observe().catch(onRejected),
    finally: (onFinally) => observe().finally(onFinally),
    [Symbol.toStringTag]: 'Promise',
  };
}

function describe(error: unknown): string {
  if (error instanceof BridgeRequestError) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** `server` whose every call logs a refusal that no caller awaited (see loggedUnlessObserved). */
export function withUnobservedErrorsLogged(
  server: RealtimeServer,
  log: (line: string) => void = (line) => console.error(`[pubdev] ${line}`),
): RealtimeServer {
  const wrap =
    <A extends unknown[], R>(name: string, method: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      loggedUnlessObserved(method(...args), name, log);
  return {
    broadcastToOrganization: wrap('broadcastToOrganization', server.broadcastToOrganization),
    sendToUser: wrap('sendToUser', server.sendToUser),
    sendToTerritory: wrap('sendToTerritory', server.sendToTerritory),
    getConnectionStats: wrap('getConnectionStats', server.getConnectionStats) as RealtimeServer['getConnectionStats'],
    getHealth: wrap('getHealth', server.getHealth),
  };
}
