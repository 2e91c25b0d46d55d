import {
  checkRealtimeRead,
  checkRealtimeWrite,
  type JwtClaims,
  type ReadPolicies,
  type RealtimeExtension,
} from '../db/index.ts';
import { errorMessage } from '../errors.ts';
import { checkChannelToken } from './channel-token.ts';
import { accessTokenPushSchema } from './frames.ts';
import type { Tenant } from './tenant.ts';

/**
 * Realtime re-validates a channel's token every `min(5 min, exp − now)` (§6.4); the 5 minutes
 * bound how long a token that turned invalid some other way keeps a channel open.
 */
const TOKEN_RECHECK_MS = 5 * 60_000;

/** What the token and policy checks need from their channel. */
export interface AuthSubject {
  readonly tenant: Tenant;
  readonly subTopic: string;
  readonly isPrivate: boolean;
  /** The upgrade's `x-*` headers, RLS's `request.headers` (§6.2). */
  readonly xHeaders: Record<string, string>;
  readonly isClosed: boolean;
  /** Ends the channel with a `system` error (§2.6). */
  shutdown(message: string): void;
}

/** The outcome of an `access_token` push (§6.5), for the channel to apply. */
export type TokenRefresh =
  | { kind: 'ignored' }
  | { kind: 'refused'; message: string }
  /** `policies` only on private channels, evaluated with the new claims. */
  | { kind: 'accepted'; token: string; claims: JwtClaims & { exp: number }; policies?: ReadPolicies };

/**
 * A channel's token and RLS decisions (§6): the claims it runs as, the read policies of a private
 * channel, write checks cached until the token changes (§6.3), and the expiry timer (§6.4).
 */
export class ChannelAuth {
  private writeCache: Partial<Record<RealtimeExtension, boolean>> = {};
  private cancelRecheck: (() => void) | undefined;

  constructor(
    private readonly subject: AuthSubject,
    private tokenValue: string,
    private claimsValue: JwtClaims & { exp: number },
    /** Set for private channels (§6.2). */
    private policies: ReadPolicies | undefined,
  ) {}

  get token(): string {
    return this.tokenValue;
  }

  get claims(): JwtClaims & { exp: number } {
    return this.claimsValue;
  }

  /** Broadcast read: always on public channels; on private ones as the read policy said (§3.3 receive side). */
  get canReadBroadcast(): boolean {
    return !this.subject.isPrivate || this.policies?.broadcast === true;
  }

  /** Checks an `access_token` push: ignored when unchanged, null or an opaque `sb_` key (§6.5). */
  async refresh(raw: unknown, presenceEnabled: boolean): Promise<TokenRefresh> {
    const parsed = accessTokenPushSchema.safeParse(raw);
    if (!parsed.success) return { kind: 'ignored' };
    const token = parsed.data.access_token;
    if (token === null || token === undefined || token === this.tokenValue || token.startsWith('sb_'))
      return { kind: 'ignored' };
    const check = await checkChannelToken(token, this.subject.tenant.config.jwtSecret, this.nowDate());
    if (!check.ok) return { kind: 'refused', message: check.message };
    if (!this.subject.isPrivate) return { kind: 'accepted', token, claims: check.claims };
    return {
      kind: 'accepted',
      token,
      claims: check.claims,
      policies: await this.readPoliciesFor(check.claims, presenceEnabled),
    };
  }

  /** Whether the new policies take away a read the channel had (§6.5: the channel then closes). */
  losesBroadcastRead(policies: ReadPolicies): boolean {
    return this.policies?.broadcast === true && !policies.broadcast;
  }

  /** Switches to a refreshed token: new claims, policies, an empty write cache, a new expiry check. */
  accept(refresh: Extract<TokenRefresh, { kind: 'accepted' }>): void {
    this.tokenValue = refresh.token;
    this.claimsValue = refresh.claims;
    if (refresh.policies) this.policies = refresh.policies;
    this.writeCache = {};
    this.scheduleRecheck();
  }

  async readPoliciesFor(claims: JwtClaims, presence: boolean): Promise<ReadPolicies> {
    const { tenant, subTopic, xHeaders } = this.subject;
    try {
      return await checkRealtimeRead(tenant.db, { claims, topic: subTopic, headers: xHeaders }, { presence });
    } catch (error) {
      tenant.log(`realtime: read check failed on ${subTopic}: ${errorMessage(error)}`);
      return { broadcast: false, presence: false, policyError: errorMessage(error) };
    }
  }

  /** Write policy, checked lazily and cached until the token changes (§6.3). */
  async canWrite(extension: RealtimeExtension): Promise<boolean> {
    const cached = this.writeCache[extension];
    if (cached !== undefined) return cached;
    const { tenant, subTopic, xHeaders } = this.subject;
    const claims = this.claimsValue;
    let allowed = false;
    try {
      const result = await checkRealtimeWrite(tenant.db, { claims, topic: subTopic, headers: xHeaders }, [extension]);
      allowed = result[extension];
      if (result.policyError) tenant.log(`realtime: RlsPolicyError on ${subTopic}: ${result.policyError}`);
    } catch (error) {
      tenant.log(`realtime: write check failed on ${subTopic}: ${errorMessage(error)}`);
    }
    if (this.claimsValue === claims) this.writeCache[extension] = allowed;
    return allowed;
  }

  /** Schedules the next token check on the tenant's clock (§6.4). */
  scheduleRecheck(): void {
    this.cancelRecheck?.();
    const untilExpiry = this.claimsValue.exp * 1000 - this.subject.tenant.clock.now();
    // +1 ms so the check runs in the second after `exp`, when the token counts as expired.
    const delay = Math.max(0, Math.min(TOKEN_RECHECK_MS, untilExpiry + 1));
    this.cancelRecheck = this.subject.tenant.clock.setTimer(() => void this.recheck(), delay);
  }

  stop(): void {
    this.cancelRecheck?.();
    this.cancelRecheck = undefined;
  }

  private async recheck(): Promise<void> {
    if (this.subject.isClosed) return;
    const check = await checkChannelToken(this.tokenValue, this.subject.tenant.config.jwtSecret, this.nowDate());
    if (this.subject.isClosed) return;
    if (check.ok) this.scheduleRecheck();
    else this.subject.shutdown(check.message);
  }

  private nowDate(): Date {
    return new Date(this.subject.tenant.clock.now());
  }
}
