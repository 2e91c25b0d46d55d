import type { Publisher } from '../../react/index.ts';

/**
 * The fields a person edits on a publisher page, by the names `save_publisher` takes: the record's
 * own fields and each custom field on its own (`custom_fields.<key>`), so that two people editing
 * different keys never collide.
 */
export type FieldKey = 'name' | 'status' | 'owner_id' | `custom_fields.${string}`;

export const CUSTOM_PREFIX = 'custom_fields.';

/** What an edit holds: the text typed, or null for "remove this custom field". */
export type EditValue = string | null;

function isCustomField(key: string): key is `custom_fields.${string}` {
  return key.startsWith(CUSTOM_PREFIX);
}

/** How a field is named on screen: a custom field by its key. */
export function labelOf(field: string): string {
  if (isCustomField(field)) return field.slice(CUSTOM_PREFIX.length);
  return (
    { name: 'Name', status: 'Status', owner_id: 'Owner', territory: 'Territory', custom_fields: 'Custom fields' }[
      field
    ] ?? field
  );
}

/** A JSON value as an input shows it ('' for none). */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The field's current value in the record, as text; null when a custom field does not exist. */
export function liveText(publisher: Publisher, key: FieldKey): string | null {
  if (key === 'name') return publisher.name;
  if (key === 'status') return publisher.status;
  if (key === 'owner_id') return publisher.ownerId ?? '';
  const custom = key.slice(CUSTOM_PREFIX.length);
  return Object.hasOwn(publisher.customFields, custom) ? textOf(publisher.customFields[custom]) : null;
}

/**
 * The value `save_publisher` gets for an edit: text for name and status, a user id or null for the
 * owner; a custom field keeps the JSON type it has (a number stays a number when the text is one).
 */
export function valueToSave(publisher: Publisher, key: FieldKey, edit: EditValue): unknown {
  if (key === 'owner_id') return edit ? edit : null;
  if (!isCustomField(key) || edit === null) return edit;
  const current = publisher.customFields[key.slice(CUSTOM_PREFIX.length)];
  if (typeof current === 'number' && edit.trim() !== '' && Number.isFinite(Number(edit))) return Number(edit);
  if (typeof current === 'boolean' && (edit === 'true' || edit === 'false')) return edit === 'true';
  return edit;
}
