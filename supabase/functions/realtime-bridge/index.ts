// Deno entry point of the realtime-bridge edge function (docs/bridge.md). Everything else is in
// handler.ts and the modules beside it, free of Deno globals so the project's tsc checks them.
import { createBridgeClients } from './clients.ts';
import { loadBridgeEnv } from './env.ts';
import { createHandler } from './handler.ts';

const env = loadBridgeEnv(Deno.env.toObject());

const handleRequest = createHandler({
  env,
  clients: createBridgeClients(env),
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  fetch: (input, init) => fetch(input, init),
});

Deno.serve(handleRequest);
