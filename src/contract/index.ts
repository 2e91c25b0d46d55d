export { ContractError } from './contract-error.ts';
export type { ContractErrorCode, ContractIssue } from './contract-error.ts';
export { buildContractJsonSchema } from './json-schema.ts';
export type { JsonSchema } from './json-schema.ts';
export {
  agentStatusMessageSchema,
  notificationMessageSchema,
  publisherUpdateMessageSchema,
  realtimeMessageSchema,
  teamUpdateMessageSchema,
  userSnapshotMessageSchema,
} from './message-schemas.ts';
export type {
  AgentStatusMessage,
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
export {
  TOPIC_CARRIES,
  TERRITORY_PATTERN,
  TOPIC_KINDS,
  activityTopic,
  orgTopic,
  parseTopic,
  publisherTopic,
  territoryTopic,
  userTopic,
} from './topics.ts';
export type { ParsedTopic, TopicKind } from './topics.ts';
export { UUID_PATTERN } from './uuid.ts';
