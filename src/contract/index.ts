export { ContractError } from './contract-error.ts';
export type { ContractErrorCode, ContractIssue } from './contract-error.ts';
export { Constants } from './database.types.ts';
export type { CompositeTypes, Database, Enums, Json, Tables, TablesInsert, TablesUpdate } from './database.types.ts';
export { buildContractJsonSchema } from './json-schema.ts';
export type { JsonSchema } from './json-schema.ts';
export {
  AGENT_RUN_STATUSES,
  RESULT_SUMMARY_LIMITS,
  TEAM_UPDATE_TYPES,
  agentStatusMessageSchema,
  campaignMetricMessageSchema,
  notificationMessageSchema,
  publisherUpdateMessageSchema,
  realtimeMessageSchema,
  resultSummarySchema,
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
  ResultSummary,
  TeamUpdateMessage,
  UserSnapshotMessage,
} from './message-schemas.ts';
export { EVENTS, MESSAGE_TYPES, isMessageType } from './message-types.ts';
export type { MessageType } from './message-types.ts';
export { assertMessage, parseMessage } from './parse-message.ts';
export type { ParseMessageResult } from './parse-message.ts';
export {
  MEMBER_ROLES,
  TOPIC_EVENTS,
  isTopicEvent,
  memberChangeSchema,
  parseTopicEvent,
  profileChangeSchema,
  publisherDraftSchema,
} from './topic-events.ts';
export type {
  MemberChange,
  MemberRole,
  ProfileChange,
  PublisherDraft,
  TopicEvent,
  TopicEventPayloads,
} from './topic-events.ts';
export {
  ONLINE_CLAIM,
  VIEWING_CLAIM,
  editedField,
  editingClaim,
  isPresenceClaim,
  presenceMetaSchema,
} from './presence-claims.ts';
export type { PresenceMeta } from './presence-claims.ts';
export { TOPIC_CARRIES, TOPIC_POLICIES, topicCarries, topicCarriesEvent } from './topic-policy.ts';
export type { TopicAuthority, TopicPolicy, TopicReaders, TopicWriters } from './topic-policy.ts';
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
