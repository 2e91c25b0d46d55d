import { closestMatch } from './fuzzy-match.ts';
import { PostgrestError } from './postgrest-error.ts';
import type { FunctionInfo } from './schema-cache.ts';

const JSON_TYPES = new Set(['json', 'jsonb']);

/** A function with one unnamed parameter receives the request body as that one argument (PostgREST's rule). */
export function takesWholeBody(fn: FunctionInfo): boolean {
  return fn.args.length === 1 && fn.args[0]?.name === '';
}

/**
 * Whether the argument keys fit the parameters: every required one given, nothing unknown. An
 * unnamed parameter is named `""` here, as in PostgREST, so `{"": value}` selects the overload
 * with a single unnamed parameter (which then receives the whole body).
 */
function matchesParams(fn: FunctionInfo, keys: ReadonlySet<string>): boolean {
  if (fn.args.length === 0) return keys.size === 0;
  const required = fn.args.filter((a) => !a.has_default).map((a) => a.name);
  const optional = new Set(fn.args.filter((a) => a.has_default).map((a) => a.name));
  const rest = [...keys].filter((k) => !optional.has(k));
  return rest.length === required.length && required.every((r) => keys.has(r));
}

/** A POSTed JSON body also reaches a function with one json/jsonb parameter when no overload matches by name. */
function takesJsonBody(fn: FunctionInfo, post: boolean): boolean {
  return post && fn.args.length === 1 && JSON_TYPES.has(fn.args[0]!.type);
}

function ambiguous(candidates: readonly FunctionInfo[]): PostgrestError {
  // A stable order: fewer parameters first, then by text. (PostgREST's follows its schema
  // cache's hash map; this agrees with the order it answers in for the cases compared.)
  const signature = (fn: FunctionInfo) =>
    `${fn.schema}.${fn.name}(${fn.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`;
  const signatures = [...candidates]
    .sort((a, b) => a.args.length - b.args.length || signature(a).localeCompare(signature(b)))
    .map(signature);
  return new PostgrestError(
    300,
    'PGRST203',
    `Could not choose the best candidate function between: ${signatures.join(', ')}`,
    null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
  );
}

/**
 * PostgREST's "Perhaps you meant to call the function …": the closest function name when none has
 * this name, else the overload whose (sorted) parameter list is closest to the keys given.
 */
function noFunctionHint(
  schema: string,
  name: string,
  overloads: readonly FunctionInfo[],
  sortedKeys: readonly string[],
  allFunctions: readonly string[],
): string | null {
  const list = (names: readonly string[]) => `(${[...names].sort().join(', ')})`;
  const suggestion =
    overloads.length === 0
      ? closestMatch(name, allFunctions)
      : ((match) => (match === undefined ? undefined : `${name}${match}`))(
          closestMatch(
            list(sortedKeys),
            overloads.map((fn) => list(fn.args.map((a) => a.name))),
          ),
        );
  return suggestion === undefined ? null : `Perhaps you meant to call the function ${schema}.${suggestion}`;
}

/**
 * PostgREST's overload resolution: the overloads whose parameters match the argument keys, else
 * those that take the JSON body whole; exactly one must remain (PGRST203 for several, PGRST202
 * for none, as for a function not in the schema cache).
 */
export function chooseFunction(
  schema: string,
  name: string,
  overloads: readonly FunctionInfo[],
  argumentKeys: readonly string[],
  post: boolean,
  allFunctions: readonly string[] = [],
): FunctionInfo {
  const keys = new Set(argumentKeys);
  const named = overloads.filter((fn) => matchesParams(fn, keys));
  const fallback = overloads.filter((fn) => !matchesParams(fn, keys) && takesJsonBody(fn, post));
  const candidates = named.length > 0 ? named : fallback;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) throw ambiguous(candidates);
  const sorted = [...keys].sort();
  const list = sorted.join(', ');
  const searched =
    sorted.length === 0 ? ' without parameters' : ` with parameter${sorted.length > 1 ? 's' : ''} ${list}`;
  throw new PostgrestError(
    404,
    'PGRST202',
    `Could not find the function ${schema}.${name}${sorted.length ? `(${list})` : ' without parameters'} in the schema cache`,
    `Searched for the function ${schema}.${name}${searched}${post ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
    noFunctionHint(schema, name, overloads, sorted, allFunctions),
  );
}
