'use client';
import Link from 'next/link';
import { useState } from 'react';
import type { DashboardSession } from '../../lib/session.ts';
import { usePeople, usePublisher, usePublisherHistory, type SaveConflict } from '../../react/index.ts';
import { LiveConnectionIndicator } from '../connection/live-connection-indicator.tsx';
import { AccessNotices } from '../people/access-notices.tsx';
import { useNames } from '../people/use-names.ts';
import { DashboardHeader } from '../shell/dashboard-header.tsx';
import { RealtimeShell } from '../shell/realtime-shell.tsx';
import { useToast } from '../shell/toast-provider.tsx';
import { useActivityReporter } from '../user-snapshots/use-activity-reporter.ts';
import { ChangeHistory } from './change-history.tsx';
import { ConflictDialog } from './conflict-dialog.tsx';
import { OwnershipTransfer } from './ownership-transfer.tsx';
import { RecordForm } from './record-form.tsx';
import { CUSTOM_PREFIX, liveText, valueToSave, type EditValue, type FieldKey } from './record-fields.ts';

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

type Edits = Partial<Record<FieldKey, EditValue>>;

function PublisherEditor({ session, publisherId, initialName, names }: PublisherPageProps) {
  const { publisher, viewers, editors, drafts, setEditing, draft, save } = usePublisher(publisherId);
  const history = usePublisherHistory(publisherId);
  const { people } = usePeople();
  const toast = useToast();
  const [edits, setEdits] = useState<Edits>({});
  // The value each edited field had when this user started typing (null: a custom field that did
  // not exist). A save whose base is no longer current would silently overwrite someone else's
  // change, so it becomes a conflict first.
  const [bases, setBases] = useState<Partial<Record<FieldKey, string | null>>>({});
  const [conflicts, setConflicts] = useState<readonly SaveConflict[] | null>(null);
  const [saving, setSaving] = useState(false);
  useActivityReporter({
    action: `Viewing ${publisher?.name ?? initialName}`,
    territory: publisher?.territory ?? undefined,
    publisherId,
  });
  const displayName = useNames(names);
  const nameOf = (userId: string) => (userId === session.userId ? 'you' : displayName(userId));
  // The live roster knows a role change the session does not. The database decides
  // (private.may_transfer_ownership); this only hides a control that would be refused.
  const role = people.find((p) => p.userId === session.userId)?.role ?? session.role;
  const mayTransfer =
    role === 'owner' || role === 'admin' || (publisher !== null && publisher.ownerId === session.userId);

  const edit = (key: FieldKey, value: EditValue) => {
    if (publisher && !(key in bases)) setBases((current) => ({ ...current, [key]: liveText(publisher, key) }));
    setEdits((current) => ({ ...current, [key]: value }));
    draft(key, value);
  };

  const forget = (keys: readonly string[]) => {
    const drop = <T,>(record: Partial<Record<FieldKey, T>>) =>
      Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key))) as Partial<Record<FieldKey, T>>;
    setEdits(drop);
    setBases(drop);
    for (const key of keys) draft(key, null);
  };

  function staleEdits(): SaveConflict[] {
    if (!publisher) return [];
    return (Object.entries(edits) as [FieldKey, EditValue][]).flatMap(([key, yours]) => {
      const base = bases[key];
      const current = liveText(publisher, key);
      return base !== undefined && base !== current && yours !== current
        ? [{ field: key, yours, current, updatedBy: publisher.updatedBy, updatedAt: publisher.updatedAt }]
        : [];
    });
  }

  async function submit({ overwrite }: { overwrite: boolean }) {
    if (!publisher || Object.keys(edits).length === 0) return;
    const stale = overwrite ? [] : staleEdits();
    if (stale.length > 0) return setConflicts(stale);
    setSaving(true);
    const changes = Object.fromEntries(
      (Object.entries(edits) as [FieldKey, EditValue][]).map(([key, value]) => [
        key,
        valueToSave(publisher, key, value),
      ]),
    );
    const result = await save(changes);
    setSaving(false);
    if (result.ok) {
      forget(Object.keys(edits));
      setConflicts(null);
      toast({ message: 'Saved', level: 'success' });
    } else if (result.conflicts.length > 0) {
      // The other fields were saved; only the conflicting ones stay edited.
      const refused = result.conflicts.map((c) => c.field);
      forget(Object.keys(edits).filter((key) => !refused.includes(key)));
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
                  <span className="muted">
                    {' '}
                    — {editing?.field ? `editing ${editing.field.replace(CUSTOM_PREFIX, '')}` : 'viewing'}
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
        <RecordForm
          publisher={publisher}
          edits={edits}
          editors={editors}
          drafts={drafts}
          currentUserId={session.userId}
          saving={saving}
          nameOf={nameOf}
          onFocus={setEditing}
          onEdit={edit}
          onUndo={(key) => forget([key])}
          onSave={() => void submit({ overwrite: false })}
        />
        <OwnershipTransfer
          publisher={publisher}
          people={people}
          mayTransfer={mayTransfer}
          nameOf={displayName}
          onTransfer={(ownerId) => save({ owner_id: ownerId })}
        />
        <ChangeHistory
          changes={history.changes}
          nameOf={displayName}
          hasOlder={history.hasOlder}
          loading={history.loading}
          onLoadOlder={() => void history.loadOlder()}
        />
      </div>
      {conflicts && (
        <ConflictDialog
          conflicts={conflicts}
          nameOf={nameOf}
          onKeepTheirs={() => {
            forget(conflicts.map((c) => c.field));
            setConflicts(null);
          }}
          onOverwrite={() => void submit({ overwrite: true })}
        />
      )}
    </main>
  );
}
