'use client';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Person, PostUpdateInput, WriteResult } from '../../react/index.ts';
import {
  insertMention,
  matchPeople,
  mentionedIds,
  mentionQueryAt,
  type MentionCandidate,
  type MentionQuery,
} from './mentions.ts';

export interface UpdateComposerProps {
  /** Whom `@` offers: the organisation's people (agent accounts and the author left out by the caller). */
  readonly people: readonly Person[];
  /** The territories the author may post to, besides org-wide. */
  readonly territories: readonly string[];
  readonly onPost: (input: PostUpdateInput) => Promise<WriteResult>;
}

/**
 * "Post an update": org-wide or to a territory the author may see. Typing `@` offers people by
 * display name (arrows and Enter, or a click); the mentioned people are stored as ids and each
 * gets a notification.
 */
export function UpdateComposer({ people, territories, onPost }: UpdateComposerProps) {
  const [text, setText] = useState('');
  const [territory, setTerritory] = useState('');
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [active, setActive] = useState(0);
  const [chosen, setChosen] = useState<readonly MentionCandidate[]>([]);
  const [state, setState] = useState<{ posting: boolean; error: string | null }>({ posting: false, error: null });
  const input = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const options = useMemo(() => (mention ? matchPeople(people, mention.query) : []), [people, mention]);
  const open = mention !== null && options.length > 0;

  const follow = (value: string, caret: number) => {
    setText(value);
    setMention(mentionQueryAt(value, caret));
    setActive(0);
  };

  const choose = (person: MentionCandidate) => {
    if (!mention) return;
    const next = insertMention(text, mention, person);
    setText(next.text);
    setMention(null);
    setChosen((list) => [...list.filter((p) => p.userId !== person.userId), person]);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      choose(options[active]!);
    } else if (event.key === 'Escape') {
      setMention(null);
    }
  };

  async function post() {
    const message = text.trim();
    if (!message || state.posting) return;
    setState({ posting: true, error: null });
    const mentions = mentionedIds(message, chosen);
    const result = await onPost({
      message,
      updateType: 'note',
      territory: territory || null,
      ...(mentions.length > 0 ? { mentions } : {}),
    });
    if (result.ok) {
      setText('');
      setChosen([]);
      setState({ posting: false, error: null });
    } else {
      setState({ posting: false, error: result.error.message });
    }
  }

  return (
    <form
      className="composer"
      aria-label="Post an update"
      onSubmit={(event) => {
        event.preventDefault();
        void post();
      }}
    >
      <label htmlFor={`${listId}-text`}>Post an update</label>
      <div className="composer-input">
        <textarea
          id={`${listId}-text`}
          ref={input}
          rows={2}
          maxLength={2000}
          value={text}
          placeholder="Share news; type @ to mention someone"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open ? `${listId}-${active}` : undefined}
          onChange={(e) => follow(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setMention(null), 150)}
        />
        {open && (
          <ul id={listId} role="listbox" aria-label="People" className="mention-options">
            {options.map((person, i) => (
              <li
                key={person.userId}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(person)}
              >
                {person.displayName}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="actions">
        <label>
          To{' '}
          <select value={territory} onChange={(e) => setTerritory(e.target.value)}>
            <option value="">Everyone (org-wide)</option>
            {territories.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={state.posting || text.trim() === ''}>
          {state.posting ? 'Posting…' : 'Post'}
        </button>
      </div>
      {state.error && (
        <p role="alert" className="error small">
          Not posted: {state.error}
        </p>
      )}
    </form>
  );
}
