import { z } from 'zod';

/*
 * What each integration worker (MCP server for Gmail, Calendar, LinkedIn, Drive) posts to
 * POST /integrations/<source>, and the personal notification it becomes.
 */

const eventId = z.string().min(1).max(200);
const text = z.string().min(1).max(500);

export const INTEGRATION_EVENT_SCHEMAS = {
  gmail: z.object({ eventId, recipientEmail: z.email(), from: text, subject: z.string().max(500) }),
  calendar: z.object({ eventId, attendeeEmail: z.email(), title: text, startsAt: z.iso.datetime({ offset: true }) }),
  linkedin: z.object({ eventId, userEmail: z.email(), kind: z.enum(['connection_accepted', 'message']), name: text }),
  drive: z.object({ eventId, userEmail: z.email(), fileName: text, sharedBy: text, url: z.url() }),
} as const;

export type IntegrationSource = keyof typeof INTEGRATION_EVENT_SCHEMAS;

export function isIntegrationSource(value: string): value is IntegrationSource {
  return Object.hasOwn(INTEGRATION_EVENT_SCHEMAS, value);
}

export type IntegrationEvent<Source extends IntegrationSource> = z.infer<(typeof INTEGRATION_EVENT_SCHEMAS)[Source]>;

export interface IntegrationNotification {
  readonly email: string;
  readonly message: string;
  readonly actionUrl: string | null;
}

/** The recipient's email and the notification text of one event. */
export function notificationFor(source: IntegrationSource, event: unknown): IntegrationNotification {
  switch (source) {
    case 'gmail': {
      const e = event as IntegrationEvent<'gmail'>;
      return {
        email: e.recipientEmail,
        message: `New email from ${e.from}: ${e.subject || '(no subject)'}`,
        actionUrl: null,
      };
    }
    case 'calendar': {
      const e = event as IntegrationEvent<'calendar'>;
      return { email: e.attendeeEmail, message: `Calendar: ${e.title} at ${e.startsAt}`, actionUrl: null };
    }
    case 'linkedin': {
      const e = event as IntegrationEvent<'linkedin'>;
      const message =
        e.kind === 'connection_accepted'
          ? `${e.name} accepted your LinkedIn connection`
          : `New LinkedIn message from ${e.name}`;
      return { email: e.userEmail, message, actionUrl: null };
    }
    case 'drive': {
      const e = event as IntegrationEvent<'drive'>;
      return { email: e.userEmail, message: `${e.sharedBy} shared ${e.fileName} with you`, actionUrl: e.url };
    }
  }
}
