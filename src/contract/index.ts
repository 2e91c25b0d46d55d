export { ContractError } from './contract-error.ts';
export type { ContractErrorCode, ContractIssue } from './contract-error.ts';
export { buildContractJsonSchema } from './json-schema.ts';
export type { JsonSchema } from './json-schema.ts';
export {
  TEAM_UPDATE_TYPES,
  agentStatusMessageSchema,
  campaignMetricMessageSchema,
  notificationMessageSchema,
  publisherUpdateMessageSchema,
  realtimeMessageSchema,
  teamUpdateMessageSchema,
  userSnapshotMessageSchema,
} from './message-schemas.ts';
export type {
  AgentStatusMessage,
  CampaignMetricMessage,
  MessageOf,
  NotificationMessage,
  PublisherUpdateMessage,
  RealtimeMessage,
  TeamUpdateMessage,
  UserSnapshotMessage,
} from './message-schemas.ts';
export { EVENTS, MESSAGE_TYPES, isMessageType } from './message-types.ts';
export type { MessageType } from './message-types.ts';
export { assertMessage, parseMessage } from './parse-message.ts';
export type { ParseMessageResult } from './parse-message.ts';
export { publisherDraftSchema } from './collab-events.ts';
export type { PublisherDraft } from './collab-events.ts';
export { CLIENT_ORIGINATED_TYPES, COLLAB_EVENTS, TOPIC_CARRIES, TOPIC_POLICIES, topicCarries } from './topic-policy.ts';
export type { CollabEvent, TopicAuthority, TopicPolicy, TopicReaders, TopicWriters } from './topic-policy.ts';
export {
  TERRITORY_PATTERN,
  TOPIC_KINDS,
  activityTopic,
  orgTopic,
  parseTopic,
  publisherCollabTopic,
  publisherRecordTopic,
  territoryTopic,
  userTopic,
} from './topics.ts';
export type { ParsedTopic, TopicKind } from './topics.ts';
export { UUID_PATTERN } from './uuid.ts';
