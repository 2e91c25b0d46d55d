export { startLocalStack, type LocalStack, type StartLocalStackOptions } from './stack.ts';
export {
  configFromEnv,
  resolveApiKey,
  stackConfigSchema,
  type StackConfig,
  type StackConfigInput,
  type RealtimeLimits,
} from './config.ts';
export * as fixture from '../supabase/fixture.ts';
export {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_SERVICE_ROLE_KEY,
  LOCAL_PUBLISHABLE_KEY,
  LOCAL_SECRET_KEY,
} from './keys.ts';
export { signJwt, verifyJwt, type JwtVerification } from './jwt.ts';
export { systemClock, type Clock } from './clock.ts';
export { BUCKET_MS } from './realtime/rate-counter.ts';
export { MAX_JSON_DEPTH } from './http.ts';
