// Runs inside Deno in front of one edge function (`deno run … deno-bootstrap.js <function url>`).
// Plain JavaScript on purpose: the project's tsc (Node types) never sees it, Deno runs it as is.
//
// - `Deno.serve` is rebound to 127.0.0.1 on a free port; the chosen port is announced on stdout
//   so the local stack knows where to proxy (no port is picked in Node and raced for).
// - An uncaught error in the handler answers as Supabase's edge runtime does (WORKER_ERROR).
// - When the local stack goes away, stdin closes and the worker exits: no orphans, even if the
//   stack was killed without a chance to stop its children.

const LISTENING_MARKER = '__PUBDEV_FUNCTION_LISTENING__';
const entry = Deno.args[0];
if (!entry) {
  console.error('deno-bootstrap: missing function module URL');
  Deno.exit(2);
}

// Supabase's edge runtime global; waitUntil keeps background work alive after the response.
globalThis.EdgeRuntime ??= {
  waitUntil(promise) {
    Promise.resolve(promise).catch((error) => console.error(error));
  },
};

const originalServe = Deno.serve.bind(Deno);
let announced = false;
let serveCalled = false;

Deno.serve = (first, second) => {
  serveCalled = true;
  let options = {};
  let handler;
  if (typeof first === 'function') {
    handler = first;
  } else {
    options = first ?? {};
    handler = typeof second === 'function' ? second : options.handler;
  }
  const { onListen, ...rest } = options;
  return originalServe(
    {
      onError(error) {
        console.error(error);
        return Response.json(
          { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' },
          { status: 500 },
        );
      },
      ...rest,
      hostname: '127.0.0.1',
      port: 0,
      onListen(address) {
        if (!announced) {
          announced = true;
          console.log(`${LISTENING_MARKER} ${address.port}`);
        }
        if (typeof onListen === 'function') onListen(address);
      },
    },
    handler,
  );
};

(async () => {
  try {
    for await (const _chunk of Deno.stdin.readable) {
      // Nothing is sent on stdin; it only tells us the parent is alive.
    }
  } catch {
    // A broken pipe means the same: the parent is gone.
  }
  Deno.exit(0);
})();

try {
  await import(entry);
} catch (error) {
  console.error(error);
  Deno.exit(1);
}
if (!serveCalled) {
  console.error('The function module finished loading without calling Deno.serve()');
  Deno.exit(1);
}
