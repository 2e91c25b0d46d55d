/**
 * A forged data point: a member may broadcast on the collaborative topics (a publisher's collab
 * topic, the activity topic), so they can send a payload shaped exactly like the database's
 * `campaign_metric` there. The core accepts that type only from the topics that carry it (the
 * territory and record topics, which no client may write) and listens to no broadcast of a
 * collaborative topic at all, so the chart and the totals never show it; the next real point
 * arrives as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityTopic, parseMessage, publisherCollabTopic } from '../../src/contract/index.ts';
import { CAMPAIGNS, PUBLISHERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { joined } from '../_support/realtime.ts';
import { ACME, startClientStack, until, type ClientStack } from '../integration/_client-stack.ts';

const SPRING = CAMPAIGNS.sunriseSpring;
const SUNRISE = PUBLISHERS.sunriseBooks;
const FORGED_POINT = 987_654_321;

describe.each(BACKENDS)('forged campaign_metric (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend);
  });
  afterAll(() => rt.stop());

  it('never reaches a chart or a total from a collaborative topic', async () => {
    const { core } = await rt.core('acmeWest');
    // West's tab holds the record page's collab topic, where the forgery goes (the activity topic
    // it no longer joins: activity is the database's).
    const stops = [
      core.campaigns.subscribe(() => {}),
      core.publisher(SUNRISE.id).subscribe(() => {}),
      core.userSnapshots.subscribe(() => {}),
    ];
    await until(core.publisher(SUNRISE.id), (s) => s.publisher !== null, 'the record');
    const loaded = await until(
      core.campaigns,
      (list) => list.some((c) => c.id === SPRING.id && c.points.length === SPRING.points),
      'the campaign',
    );
    const before = loaded.find((c) => c.id === SPRING.id)!;
    const errors: string[] = [];
    core.onError((error) => errors.push(error.message));

    const attacker = await rt.signedIn('acmeWest');
    const forged = {
      id: `${SPRING.id}:${FORGED_POINT}`,
      type: 'campaign_metric',
      timestamp: new Date().toISOString(),
      data: {
        campaignId: SPRING.id,
        publisherId: SUNRISE.id,
        pointId: FORGED_POINT,
        recordedAt: new Date().toISOString(),
        impressions: 1_000_000_000,
        clicks: 0,
        conversions: 0,
        spend: 0,
        // Totals counting far more points than the campaign has, to take over its figures.
        totals: { impressions: 1_000_000_000, clicks: 0, conversions: 0, spend: 0, points: 1_000_000 },
      },
    };
    // Exactly what the trigger would send: only the topic gives it away.
    expect(parseMessage(forged).ok).toBe(true);
    for (const topic of [publisherCollabTopic(ACME, SUNRISE.id, SUNRISE.territory), activityTopic(ACME)]) {
      const channel = attacker.channel(topic, { config: { private: true } });
      await joined(channel);
      expect(await channel.send({ type: 'broadcast', event: 'campaign_metric', payload: forged })).toBe('ok');
    }

    const agent = await rt.signedIn('acmeAgent');
    const { error } = await agent.from('campaign_metrics').insert({ campaign_id: SPRING.id, impressions: 10 });
    expect(error).toBeNull();
    const after = (
      await until(
        core.campaigns,
        (list) => list.find((c) => c.id === SPRING.id)!.points.length === SPRING.points + 1,
        'the real point',
      )
    ).find((c) => c.id === SPRING.id)!;
    expect(after.points.some((p) => p.id === FORGED_POINT)).toBe(false);
    expect(after.impressions).toBe(before.impressions + 10);
    // The forgery reached a channel of West's tab (the collab topic), and nothing took it in.
    expect(core.channelTopics()).toContain(publisherCollabTopic(ACME, SUNRISE.id, SUNRISE.territory));
    expect(core.channelTopics()).not.toContain(activityTopic(ACME));
    expect(errors.filter((e) => e.includes('campaign_metric'))).toEqual([]);
    for (const stop of stops) stop();
  });
});
