'use client';
import Link from 'next/link';
import { useState } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import { usePublisher, type SaveConflict } from '../../react/index.ts';
import { ConflictDialog } from './conflict-dialog.tsx';
import { DashboardHeader } from '../shell/dashboard-header.tsx';
import { LiveConnectionIndicator } from '../connection/live-connection-indicator.tsx';
import { RealtimeShell } from '../shell/realtime-shell.tsx';
import { useToast } from '../shell/toast-provider.tsx';
import { useActivityReporter } from '../user-snapshots/use-activity-reporter.ts';
import { AccessNotices } from '../people/access-notices.tsx';
import { useNames } from '../people/use-names.ts';

/** The fields a person edits on this page, with their labels. */
const FIELDS = [
  { field: 'name', label: 'Name' },
  { field: 'status', label: 'Status' },
] as const;
type EditableField = (typeof FIELDS)[number]['field'];

export interface PublisherPageProps {
  readonly session: DashboardSession;
  readonly publisherId: string;
  readonly initialName: string;
  /** The organisation's display names by user id, read by the server for the first paint. */
  readonly names: Readonly<Record<string, string>>;
}

export function PublisherPage(props: PublisherPageProps) {
  return (
    <RealtimeShell organizationId={props.session.organizationId}>
      <PublisherEditor {...props} />
    </RealtimeShell>
  );
}

function PublisherEditor({ session, publisherId, initialName, names }: PublisherPageProps) {
  const { publisher, viewers, editors, drafts, setEditing, draft, save } = usePublisher(publisherId);
  const toast = useToast();
  const [edits, setEdits] = useState<Partial<Record<EditableField, string>>>({});
  // The value each edited field had when this user started typing: a save whose base is no longer
  // current would silently overwrite someone else's change, so it becomes a conflict first.
  const [bases, setBases] = useState<Partial<Record<EditableField, string>>>({});
  const [conflicts, setConflicts] = useState<readonly SaveConflict[] | null>(null);
  const [saving, setSaving] = useState(false);
  useActivityReporter({
    action: `Viewing ${publisher?.name ?? initialName}`,
    territory: publisher?.territory ?? undefined,
    publisherId,
  });
  const displayName = useNames(names);
  const nameOf = (userId: string) => (userId === session.userId ? 'you' : displayName(userId));
  const others = (list: readonly string[]) => list.filter((id) => id !== session.userId);

  function staleEdits(): SaveConflict[] {
    if (!publisher) return [];
    return FIELDS.flatMap(({ field }) => {
      const yours = edits[field];
      const base = bases[field];
      const current = String(publisher[field]);
      return yours !== undefined && base !== undefined && base !== current && yours !== current
        ? [{ field, yours, current, updatedBy: publisher.updatedBy, updatedAt: publisher.updatedAt }]
        : [];
    });
  }

  function discardEdits() {
    setEdits({});
    setBases({});
    setConflicts(null);
    for (const { field } of FIELDS) draft(field, null);
  }

  async function submit(changes: Partial<Record<EditableField, string>>, { overwrite }: { overwrite: boolean }) {
    if (Object.keys(changes).length === 0) return;
    const stale = overwrite ? [] : staleEdits();
    if (stale.length > 0) {
      setConflicts(stale);
      return;
    }
    setSaving(true);
    const result = await save(changes);
    setSaving(false);
    if (result.ok) {
      discardEdits();
      toast({ message: 'Saved', level: 'success' });
    } else if (result.conflicts.length > 0) {
      setConflicts(result.conflicts);
    } else {
      toast({ message: `Not saved: ${result.error?.message ?? 'unknown error'}`, level: 'error' });
    }
  }

  return (
    <main className="publisher-page">
      <DashboardHeader title={publisher?.name ?? initialName} session={session}>
        <LiveConnectionIndicator />
        <Link href="/">Back to the dashboard</Link>
      </DashboardHeader>
      <AccessNotices />
      <div className="grid">
        <section className="card" aria-labelledby="viewing-title">
          <h2 id="viewing-title">Viewing now</h2>
          <ul aria-label="Viewing now">
            {viewers.map((userId) => {
              const editing = editors.find((e) => e.userId === userId && e.field !== null);
              return (
                <li key={userId} data-user-id={userId}>
                  {nameOf(userId)}
                  {editing?.field ? (
                    <span className="muted"> — editing {editing.field}</span>
                  ) : (
                    <span className="muted"> — viewing</span>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
        <form
          className="card fields"
          aria-label="Publisher record"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(edits, { overwrite: false });
          }}
        >
          {FIELDS.map(({ field, label }) => {
            const live = publisher ? String(publisher[field]) : '';
            const othersDrafts = drafts.filter((d) => d.field === field && d.userId !== session.userId);
            const othersEditing = others(editors.filter((e) => e.field === field).map((e) => e.userId));
            return (
              <div key={field}>
                <label htmlFor={`field-${field}`}>{label}</label>
                <input
                  id={`field-${field}`}
                  value={edits[field] ?? live}
                  disabled={!publisher}
                  onFocus={() => setEditing(field)}
                  onBlur={() => setEditing(null)}
                  onChange={(e) => {
                    const value = e.target.value;
                    if (bases[field] === undefined) setBases((current) => ({ ...current, [field]: live }));
                    setEdits((current) => ({ ...current, [field]: value }));
                    draft(field, value);
                  }}
                />
                <div className="field-editor" aria-live="polite">
                  {othersEditing.length > 0 && `${othersEditing.map(nameOf).join(', ')} editing`}
                  {othersDrafts.map((d) => (
                    <span key={d.userId} className="draft" data-draft-user={d.userId}>
                      {' '}
                      {nameOf(d.userId)} is typing: {String(d.value)}
                    </span>
                  ))}
                </div>
              </div>
            );
          })}
          <div className="actions">
            <button type="submit" disabled={saving || Object.keys(edits).length === 0}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
          <p className="muted small">
            Version {publisher?.version ?? '…'}
            {publisher?.territory ? ` · ${publisher.territory}` : ''}
            {publisher ? ` · owner: ${publisher.ownerId ? displayName(publisher.ownerId) : 'nobody'}` : ''}
            {publisher?.updatedBy ? ` · last changed by ${nameOf(publisher.updatedBy)}` : ''}
          </p>
        </form>
      </div>
      {conflicts && (
        <ConflictDialog
          conflicts={conflicts}
          nameOf={nameOf}
          onKeepTheirs={discardEdits}
          onOverwrite={() => void submit(edits, { overwrite: true })}
        />
      )}
    </main>
  );
}
