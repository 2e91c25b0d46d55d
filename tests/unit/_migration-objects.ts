/**
 * Reads migration SQL as text and reports every database object a migration changes although an
 * earlier migration created it, unless the later one declares it in its header with
 * `-- supersedes: <kind> <name>` (docs/data-model.md "Migrations"). Also reports declarations
 * that name nothing an earlier migration created, or nothing the migration changes.
 *
 * A migration "changes" an object when it creates it (`create`, `create or replace`,
 * `... if not exists`), drops it, or alters it (`alter function|procedure|policy|view|type|
 * trigger|index|publication`). `alter table` (enabling RLS, adding a column) is not a
 * redefinition. Statements inside `do $$ … $$` blocks count; function bodies and dynamic SQL
 * (`execute '…'`) are not read. Objects are named as in the SQL, schema-qualified:
 *   function private.can_read_topic        (any overload)
 *   policy "admins add members" on public.organization_members
 *   trigger publishers_broadcast on public.publishers
 *   index public.publishers_owner_id_idx   (the table's schema)
 *   table | view | type | procedure <schema.name>, schema <name>, publication <name>
 */

export interface MigrationText {
  /** The file name, e.g. `20261125180100_access_helpers.sql`; files apply in name order. */
  readonly name: string;
  readonly sql: string;
}

type Action = 'create' | 'alter' | 'drop';

const KINDS = [
  'function',
  'procedure',
  'table',
  'view',
  'type',
  'index',
  'trigger',
  'policy',
  'schema',
  'publication',
] as const;

const IDENTIFIER = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)`;
const IDENT = `(${IDENTIFIER})`;
const NAME = String.raw`(${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})?)`;
const ON = String.raw`${IDENT} on (?:only )?${NAME}`;
const pattern = (source: string) => new RegExp(`^${source}`, 'i');

/** Statement shapes: the kind (or the group holding it), the action, and how to name the object. */
const SHAPES: readonly { re: RegExp; kind: string | number; action: Action; name: (m: string[]) => string }[] = [
  {
    re: pattern(`create (?:or replace )?(function|procedure) ${NAME}\\s*\\(`),
    kind: 1,
    action: 'create',
    name: (m) => qualified(m[2]),
  },
  {
    re: pattern(
      `create (?:or replace )?(?:(?:temp|temporary) )?(?:recursive )?(?:materialized )?view (?:if not exists )?${NAME}`,
    ),
    kind: 'view',
    action: 'create',
    name: (m) => qualified(m[1]),
  },
  {
    re: pattern(`create (?:(?:unlogged|temp|temporary) )?table (?:if not exists )?${NAME}`),
    kind: 'table',
    action: 'create',
    name: (m) => qualified(m[1]),
  },
  { re: pattern(`create type ${NAME}`), kind: 'type', action: 'create', name: (m) => qualified(m[1]) },
  {
    re: pattern(`create (?:unique )?index (?:concurrently )?(?:if not exists )?${ON}`),
    kind: 'index',
    action: 'create',
    name: (m) => indexName(m[1], m[2]),
  },
  {
    re: pattern(`create (?:or replace )?(?:constraint )?trigger ${IDENT} .*? on ${NAME}`),
    kind: 'trigger',
    action: 'create',
    name: (m) => onTable(m[1], m[2]),
  },
  { re: pattern(`create policy ${ON}`), kind: 'policy', action: 'create', name: (m) => onTable(m[1], m[2]) },
  {
    re: pattern(`create schema (?:if not exists )?${IDENT}`),
    kind: 'schema',
    action: 'create',
    name: (m) => ident(m[1]),
  },
  { re: pattern(`create publication ${IDENT}`), kind: 'publication', action: 'create', name: (m) => ident(m[1]) },
  { re: pattern(`alter publication ${IDENT}`), kind: 'publication', action: 'alter', name: (m) => ident(m[1]) },
  { re: pattern(`alter (function|procedure|type) ${NAME}`), kind: 1, action: 'alter', name: (m) => qualified(m[2]) },
  {
    re: pattern(`alter (?:materialized )?view (?:if exists )?${NAME}`),
    kind: 'view',
    action: 'alter',
    name: (m) => qualified(m[1]),
  },
  { re: pattern(`alter index (?:if exists )?${NAME}`), kind: 'index', action: 'alter', name: (m) => qualified(m[1]) },
  { re: pattern(`alter (policy|trigger) ${ON}`), kind: 1, action: 'alter', name: (m) => onTable(m[2], m[3]) },
  {
    re: pattern(`drop (policy|trigger) (?:if exists )?${ON}`),
    kind: 1,
    action: 'drop',
    name: (m) => onTable(m[2], m[3]),
  },
];
const DROP_LIST = pattern(
  String.raw`drop (function|procedure|materialized view|view|table|type|index|schema|publication) (?:concurrently )?(?:if exists )?(.+?)(?: cascade| restrict)?$`,
);

function ident(raw = ''): string {
  const name = raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw.toLowerCase();
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
function qualified(raw = ''): string {
  const parts = (raw.match(new RegExp(IDENTIFIER, 'g')) ?? []).map(ident);
  return parts.length === 1 ? `public.${parts[0]}` : parts.join('.');
}
function onTable(name = '', table = ''): string {
  return `${ident(name)} on ${qualified(table)}`;
}
function indexName(name = '', table = ''): string {
  return `${qualified(table).split('.')[0]}.${ident(name)}`;
}

/**
 * The SQL with comments removed, string literals emptied and dollar-quoted bodies collapsed to
 * `$$`, except the bodies of `do` blocks, which run at migration time and are kept (lexed too).
 */
function code(sql: string): string {
  const dollarTag = /\$(?:[A-Za-z_]\w*)?\$/y;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    dollarTag.lastIndex = i;
    const dollar = sql[i] === '$' && !/[\w$]$/.test(out) ? dollarTag.exec(sql) : null;
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (sql.startsWith('/*', i)) {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      do {
        const step = sql.startsWith('/*', i) ? 1 : sql.startsWith('*/', i) ? -1 : 0;
        depth += step;
        i += step === 0 ? 1 : 2;
      } while (depth > 0 && i < sql.length);
      out += ' ';
    } else if (sql[i] === "'") {
      const escapes = /(?:^|[^\w$])[Ee]$/.test(out);
      for (i++; i < sql.length; i++) {
        if (escapes && sql[i] === '\\') i++;
        else if (sql[i] === "'" && sql[i + 1] === "'") i++;
        else if (sql[i] === "'") break;
      }
      i++;
      out += "''";
    } else if (sql[i] === '"') {
      const end = sql.indexOf('"', i + 1);
      const close = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, close);
      i = close;
    } else if (dollar) {
      const tag = dollar[0];
      const end = sql.indexOf(tag, i + tag.length);
      const body = sql.slice(i + tag.length, end === -1 ? sql.length : end);
      out += /\bdo\s*$/i.test(out) ? ` ${code(body)}; ` : '$$';
      i = end === -1 ? sql.length : end + tag.length;
    } else {
      out += sql[i];
      i++;
    }
  }
  return out;
}

/** `do` and the PL/pgSQL control words a statement inside a `do` block may start with. */
const CONTROL =
  /^(?:do|begin|declare|then|else|loop|end(?: if| loop)?|(?:if|elsif|when|while|for)\b.*?\b(?:then|loop))\s+/i;

/** Every object a migration changes, keyed `<kind> <name>`, with what it does to it. */
export function objectsChanged(sql: string): Map<string, Action[]> {
  const changed = new Map<string, Action[]>();
  const add = (kind: string, name: string, action: Action) =>
    changed.set(`${kind} ${name}`, [...(changed.get(`${kind} ${name}`) ?? []), action]);
  for (const raw of code(sql).split(';')) {
    let statement = raw.replace(/\s+/g, ' ').trim();
    while (CONTROL.test(statement)) statement = statement.replace(CONTROL, '');
    const drop = DROP_LIST.exec(statement);
    if (drop) {
      const kind = (drop[1] ?? '').toLowerCase().replace('materialized ', '');
      const names = (drop[2] ?? '').replace(/\([^()]*\)/g, '').split(',');
      for (const name of names)
        add(kind, kind === 'schema' || kind === 'publication' ? ident(name.trim()) : qualified(name.trim()), 'drop');
      continue;
    }
    for (const shape of SHAPES) {
      const match = shape.re.exec(statement);
      if (!match) continue;
      const kind = typeof shape.kind === 'number' ? (match[shape.kind] ?? '').toLowerCase() : shape.kind;
      add(kind, shape.name([...match]), shape.action);
      break;
    }
  }
  return changed;
}

/** `<kind> <name>` as objectsChanged spells it, from a declaration's kind and name. */
function keyOf(kind: string, name: string): string {
  const on = new RegExp(`^${ON}$`, 'i').exec(name);
  if ((kind === 'policy' || kind === 'trigger') && on) return `${kind} ${onTable(on[1], on[2])}`;
  if (kind === 'schema' || kind === 'publication') return `${kind} ${ident(name)}`;
  return `${kind} ${qualified(name)}`;
}

/** The `-- supersedes:` declarations of a migration's header, normalised like objectsChanged's keys. */
function supersedes(migration: MigrationText, problems: string[]): Set<string> {
  const lines = migration.sql.split('\n');
  const headerEnd = lines.findIndex((line) => !/^\s*(--.*)?$/.test(line));
  const declared = new Set<string>();
  lines.forEach((line, at) => {
    const match = /^\s*--\s*supersedes:\s*(.*)$/i.exec(line);
    if (!match) return;
    if (headerEnd !== -1 && at > headerEnd) {
      problems.push(
        `${migration.name}: "${line.trim()}" is not in the header (the comment block the file starts with)`,
      );
      return;
    }
    const [kind = '', ...rest] = (match[1] ?? '').trim().split(/\s+/);
    const name = rest.join(' ');
    if (!(KINDS as readonly string[]).includes(kind.toLowerCase()) || !name) {
      problems.push(`${migration.name}: "${line.trim()}" must read "-- supersedes: <${KINDS.join('|')}> <name>"`);
      return;
    }
    declared.add(keyOf(kind.toLowerCase(), name));
  });
  return declared;
}

/** Every object changed by a later migration without a declaration, and every stale declaration. */
export function findRedefinitions(migrations: readonly MigrationText[]): string[] {
  const problems: string[] = [];
  const createdIn = new Map<string, string>();
  for (const migration of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
    const declared = supersedes(migration, problems);
    const changed = objectsChanged(migration.sql);
    for (const key of declared) {
      if (!createdIn.has(key))
        problems.push(`${migration.name}: supersedes ${key}, which no earlier migration created`);
      else if (!changed.has(key))
        problems.push(`${migration.name}: declares it supersedes ${key} but does not change it`);
    }
    for (const [key, actions] of changed) {
      const earlier = createdIn.get(key);
      if (earlier && !declared.has(key)) {
        problems.push(
          `${migration.name}: ${actions.join(' + ')} ${key}, which ${earlier} created; a migration that changes it ` +
            `declares it in its header: -- supersedes: ${key}`,
        );
      }
      if (actions.at(-1) === 'drop') createdIn.delete(key);
      else if (!earlier || declared.has(key)) createdIn.set(key, migration.name);
    }
  }
  return problems;
}
