import { publisherRowSchema, timeOf, type PublisherRow } from './rows.ts';

/** A publisher record as the UI shows it. */
export interface Publisher {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly status: string;
  /** null: no territory. */
  readonly territory: string | null;
  readonly ownerId: string | null;
  readonly customFields: Readonly<Record<string, unknown>>;
  /** Bumped by every change; updates with a lower version are stale. */
  readonly version: number;
  readonly updatedBy: string | null;
  readonly updatedAt: string;
}

/** The editable fields, by the names `publisher_update` messages and `save_publisher` use. */
export type PublisherField = 'name' | 'status' | 'territory' | 'owner_id' | 'custom_fields';

/**
 * What `save` takes: fields by name, and single custom fields as `custom_fields.<key>` (JSON null
 * removes the key) — a conflict then only when someone else changed that key.
 */
export type PublisherChanges = { readonly [Field in PublisherField | `custom_fields.${string}`]?: unknown };

export function publisherFromRow(row: PublisherRow): Publisher {
  return Object.freeze({
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    status: row.status,
    territory: row.territory,
    ownerId: row.owner_id,
    customFields: row.custom_fields,
    version: row.version,
    updatedBy: row.updated_by,
    updatedAt: new Date(timeOf(row.updated_at)).toISOString(),
  });
}

/** A Postgres-changes record (column names, JSON values) → Publisher, or null when it does not parse. */
export function publisherFromRecord(record: unknown): Publisher | null {
  const parsed = publisherRowSchema.safeParse(record);
  return parsed.success ? publisherFromRow(parsed.data) : null;
}

/** Applies one field's new value (a `publisher_update`) to a record. */
export function withField(
  publisher: Publisher,
  field: string,
  value: unknown,
  version: number,
  updatedBy: string | null,
  at: string,
): Publisher {
  const base = { ...publisher, version, updatedBy, updatedAt: at };
  switch (field) {
    case 'name':
    case 'status':
      return typeof value === 'string' ? Object.freeze({ ...base, [field]: value }) : Object.freeze(base);
    case 'territory':
      return Object.freeze({ ...base, territory: typeof value === 'string' ? value : null });
    case 'owner_id':
      return Object.freeze({ ...base, ownerId: typeof value === 'string' ? value : null });
    case 'custom_fields':
      return Object.freeze({ ...base, customFields: isRecord(value) ? value : {} });
    default:
      return Object.freeze(base);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
