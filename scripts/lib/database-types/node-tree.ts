/**
 * A reader for PostgreSQL's pg_node_tree text (`pg_rewrite.ev_action`): enough to walk a view's
 * query and read each output column's origin (TARGETENTRY :resorigtbl/:resorigcol), which the
 * catalog offers nowhere else. Nodes are `{NAME :field value …}`, lists `( … )`, `<>` is null;
 * a field may hold several atoms (a Const's datum bytes), so every field keeps them all.
 */
export type TreeValue = string | null | TreeNode | TreeValue[];

export interface TreeNode {
  node: string;
  fields: Record<string, TreeValue[]>;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '{' || c === '}') {
      tokens.push(c);
      i++;
    } else {
      let token = '';
      while (i < text.length && !' \n\t\r(){}'.includes(text[i]!)) {
        // A backslash keeps the next character, delimiters included, inside the token.
        if (text[i] === '\\' && i + 1 < text.length) i++;
        token += text[i];
        i++;
      }
      tokens.push(token);
    }
  }
  return tokens;
}

export function parseNodeTree(text: string): TreeValue {
  const tokens = tokenize(text);
  let at = 0;
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error('pg_node_tree ended early');
    return token;
  };
  const value = (): TreeValue => {
    const token = next();
    if (token === '{') {
      const node: TreeNode = { node: next(), fields: {} };
      while (tokens[at] !== '}') {
        const key = next();
        if (!key.startsWith(':')) throw new Error(`pg_node_tree: expected a field name, got ${key}`);
        const values: TreeValue[] = [];
        while (tokens[at] !== '}' && !tokens[at]?.startsWith(':')) values.push(value());
        node.fields[key.slice(1)] = values;
      }
      at++;
      return node;
    }
    if (token === '(') {
      const list: TreeValue[] = [];
      while (tokens[at] !== ')') list.push(value());
      at++;
      return list;
    }
    return token === '<>' ? null : token;
  };
  return value();
}

export interface ColumnOrigin {
  /** The view's column number (TARGETENTRY :resno). */
  column: number;
  /** The relation and column it reads unchanged, as PostgreSQL traced it when the view was made. */
  relation: number;
  relationColumn: number;
}

const isNode = (value: TreeValue | undefined, name: string): value is TreeNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && value.node === name;

/** The output columns of a view's (first) query that are plain references to a relation column. */
export function viewColumnOrigins(evAction: string): ColumnOrigin[] {
  const tree = parseNodeTree(evAction);
  const query = Array.isArray(tree) ? tree[0] : tree;
  if (!isNode(query, 'QUERY')) throw new Error('pg_node_tree: a view rule without a QUERY');
  const targets = query.fields.targetList?.[0];
  if (!Array.isArray(targets)) return [];
  return targets.flatMap((entry) => {
    if (!isNode(entry, 'TARGETENTRY') || entry.fields.resjunk?.[0] === 'true') return [];
    const number = (field: string) => Number(entry.fields[field]?.[0] ?? 0);
    const origin = { column: number('resno'), relation: number('resorigtbl'), relationColumn: number('resorigcol') };
    return origin.relation > 0 && origin.relationColumn > 0 ? [origin] : [];
  });
}
