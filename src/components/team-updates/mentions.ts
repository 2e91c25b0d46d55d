/**
 * @mentions in the composer, as pure text operations: what is being typed after `@`, which people
 * it matches, and what choosing one does to the text. A mention is stored as the person's id; the
 * text shows their display name.
 */

export interface MentionCandidate {
  readonly userId: string;
  readonly displayName: string;
}

export interface MentionQuery {
  /** Where the `@` is. */
  readonly start: number;
  /** What follows it up to the caret (a name may have one space: "Ada Ok"). */
  readonly query: string;
}

const QUERY_AT_CARET = /(?:^|\s)@([\p{L}\p{N}._'-]*(?: [\p{L}\p{N}._'-]*)?)$/u;

/** The mention being typed at `caret`, or null when the caret is not inside one. */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = QUERY_AT_CARET.exec(before);
  if (!match) return null;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query };
}

/** People whose name (or a word of it) starts with the query, case-insensitive; at most `limit`. */
export function matchPeople<P extends MentionCandidate>(people: readonly P[], query: string, limit = 6): P[] {
  const q = query.trim().toLocaleLowerCase();
  return people
    .filter((person) => {
      const name = person.displayName.toLocaleLowerCase();
      return q === '' || name.startsWith(q) || name.split(/\s+/).some((word) => word.startsWith(q));
    })
    .slice(0, limit);
}

/** The text with the typed `@query` replaced by `@Display Name `, and where the caret goes. */
export function insertMention(
  text: string,
  at: MentionQuery,
  person: MentionCandidate,
): { readonly text: string; readonly caret: number } {
  const end = at.start + 1 + at.query.length;
  const space = /^\s/.test(text.slice(end)) ? '' : ' ';
  const inserted = `@${person.displayName}${space}`;
  // The caret goes after the name and the space that follows it (typed or already there).
  return {
    text: text.slice(0, at.start) + inserted + text.slice(end),
    caret: at.start + inserted.length + (space ? 0 : 1),
  };
}

/** The ids of the chosen people whose `@Display Name` is still in the text, once each. */
export function mentionedIds(text: string, chosen: readonly MentionCandidate[]): string[] {
  const ids = chosen.filter((person) => text.includes(`@${person.displayName}`)).map((person) => person.userId);
  return [...new Set(ids)];
}
