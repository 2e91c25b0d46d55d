'use client';
import { useState } from 'react';
import type { Publisher, PublisherDraftValue, PublisherEditor } from '../../react/index.ts';
import { CUSTOM_PREFIX, labelOf, liveText, textOf, type EditValue, type FieldKey } from './record-fields.ts';

export interface RecordFormProps {
  readonly publisher: Publisher | null;
  readonly edits: Readonly<Partial<Record<FieldKey, EditValue>>>;
  readonly editors: readonly PublisherEditor[];
  readonly drafts: readonly PublisherDraftValue[];
  readonly currentUserId: string;
  readonly saving: boolean;
  readonly nameOf: (userId: string) => string;
  readonly onFocus: (key: FieldKey | null) => void;
  readonly onEdit: (key: FieldKey, value: EditValue) => void;
  readonly onUndo: (key: FieldKey) => void;
  readonly onSave: () => void;
}

/** Custom field keys as the table allows them (1–100 characters, no leading or trailing space). */
const KEY_PATTERN = /^\S(?:.{0,98}\S)?$/;

/**
 * The record: name, status and each custom field as its own input (a custom field saves on its
 * own key, so others editing other keys never conflict with it), with who is editing which field
 * and what they type, live.
 */
export function RecordForm(props: RecordFormProps) {
  const { publisher, edits, saving, onEdit, onUndo, onSave } = props;
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const customKeys = new Set<FieldKey>();
  for (const key of Object.keys(publisher?.customFields ?? {}).sort()) customKeys.add(`${CUSTOM_PREFIX}${key}`);
  for (const key of Object.keys(edits)) if (key.startsWith(CUSTOM_PREFIX)) customKeys.add(key as FieldKey);
  const keyTaken = customKeys.has(`${CUSTOM_PREFIX}${newKey.trim()}`);
  const keyValid = KEY_PATTERN.test(newKey.trim()) && !keyTaken;

  return (
    <form
      className="card fields"
      aria-label="Publisher record"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      <Field {...props} fieldKey="name" />
      <Field {...props} fieldKey="status" />
      <fieldset className="custom-fields">
        <legend>Custom fields</legend>
        {[...customKeys].map((key) => (
          <Field key={key} {...props} fieldKey={key} removable />
        ))}
        {customKeys.size === 0 && <p className="muted small">None yet</p>}
        <div className="add-field">
          <input
            aria-label="Field to add"
            placeholder="field"
            value={newKey}
            onChange={(e) => setNewKey(e.target.value)}
          />
          <input
            aria-label="Its value"
            placeholder="value"
            value={newValue}
            onChange={(e) => setNewValue(e.target.value)}
          />
          <button
            type="button"
            disabled={!publisher || !keyValid}
            title={keyTaken ? 'That field exists' : undefined}
            onClick={() => {
              onEdit(`${CUSTOM_PREFIX}${newKey.trim()}`, newValue);
              setNewKey('');
              setNewValue('');
            }}
          >
            Add field
          </button>
        </div>
      </fieldset>
      <div className="actions">
        {Object.keys(edits).length > 0 && (
          <button type="button" onClick={() => Object.keys(edits).forEach((key) => onUndo(key as FieldKey))}>
            Discard changes
          </button>
        )}
        <button type="submit" disabled={saving || Object.keys(edits).length === 0}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
      <p className="muted small">
        Version {publisher?.version ?? '…'}
        {publisher?.territory ? ` · ${publisher.territory}` : ''}
      </p>
    </form>
  );
}

function Field(props: RecordFormProps & { fieldKey: FieldKey; removable?: boolean }) {
  const { publisher, edits, editors, drafts, currentUserId, nameOf, onFocus, onEdit, onUndo, fieldKey, removable } =
    props;
  const id = `field-${fieldKey.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const live = publisher ? (liveText(publisher, fieldKey) ?? '') : '';
  const edit = edits[fieldKey];
  const removed = edit === null;
  const othersEditing = editors.filter((e) => e.field === fieldKey && e.userId !== currentUserId).map((e) => e.userId);
  const othersDrafts = drafts.filter((d) => d.field === fieldKey && d.userId !== currentUserId);
  return (
    <div className={removed ? 'field removed' : 'field'}>
      <label htmlFor={id}>{labelOf(fieldKey)}</label>
      <div className="field-row">
        <input
          id={id}
          value={removed ? live : (edit ?? live)}
          disabled={!publisher || removed}
          onFocus={() => onFocus(fieldKey)}
          onBlur={() => onFocus(null)}
          onChange={(e) => onEdit(fieldKey, e.target.value)}
        />
        {removable &&
          (edit === undefined ? (
            <button type="button" aria-label={`Remove ${labelOf(fieldKey)}`} onClick={() => onEdit(fieldKey, null)}>
              ×
            </button>
          ) : (
            <button type="button" onClick={() => onUndo(fieldKey)}>
              Undo
            </button>
          ))}
      </div>
      <div className="field-editor" aria-live="polite">
        {removed && 'Removed when you save. '}
        {othersEditing.length > 0 && `${othersEditing.map(nameOf).join(', ')} editing`}
        {othersDrafts.map((d) => (
          <span key={d.userId} className="draft" data-draft-user={d.userId}>
            {' '}
            {nameOf(d.userId)} is typing: {textOf(d.value)}
          </span>
        ))}
      </div>
    </div>
  );
}
