import type { DbFunction, FunctionArg } from './introspect.ts';
import { functionReturnType, object, tsType, type RenderContext } from './render.ts';

/**
 * The Functions section the way postgres-meta's typegen writes it: only functions PostgREST can
 * call by named arguments (or with one unnamed json/jsonb/text or row argument), overloads as a
 * union, an `{ error: true }` return where PostgREST could not choose between overloads, and
 * SetofOptions where a function returns rows of a table or view.
 */
const UNNAMED_ARG_TYPES = new Set(['114', '3802', '25']); // json, jsonb, text
const INPUT_MODES = new Set<FunctionArg['mode']>(['in', 'inout', 'variadic']);

interface Callable {
  fn: DbFunction;
  inputs: FunctionArg[];
}

export function renderFunctions(context: RenderContext, schema: string, functions: DbFunction[]): string {
  const { catalog, typesById } = context;
  const rowTypeOf = (typeId: string) => {
    const type = typesById.get(typeId);
    return type?.relationId ? type : undefined;
  };
  const relationNames = new Map(catalog.relations.map((r) => [r.id, r.name]));
  const tableNameOf = (relationId: string | null, returnTypeId: string): string | null =>
    relationId ? (relationNames.get(relationId) ?? rowTypeOf(returnTypeId)?.name ?? null) : null;
  const argType = (a: FunctionArg) => {
    const type = typesById.get(a.typeId);
    return type ? tsType(context, schema, type.name) : 'unknown';
  };
  const argsOf = (inputs: FunctionArg[]) =>
    `{ ${inputs.map((a) => `${JSON.stringify(a.name)}${a.hasDefault ? '?' : ''}: ${argType(a)}`).join(',')} }`;

  const callable: Callable[] = [];
  for (const fn of [...functions].sort((a, b) => a.name.localeCompare(b.name))) {
    const args = [...fn.args].sort((a, b) => a.name.localeCompare(b.name));
    const inputs = args.filter((a) => INPUT_MODES.has(a.mode));
    const only = inputs.length === 1 ? inputs[0] : undefined;
    if (
      inputs.length === 0 ||
      !inputs.some((a) => a.name === '') ||
      inputs.every((a) => a.name !== '' || (a.hasDefault === true && UNNAMED_ARG_TYPES.has(a.typeId))) ||
      (only?.name === '' && (UNNAMED_ARG_TYPES.has(only.typeId) || rowTypeOf(only.typeId) !== undefined))
    ) {
      callable.push({ fn: { ...fn, args }, inputs });
    }
  }

  const conflict = (group: Callable[], { fn, inputs }: Callable): string | null => {
    if (group.length <= 1) return null;
    const candidates = `Try renaming the parameters or the function itself in the database so function overloading can be resolved`;
    if (inputs.length === 0) {
      const other = group.find(
        (o) => o.fn !== fn && o.inputs.length === 1 && o.inputs[0]!.name === '' && o.inputs[0]!.hasDefault,
      );
      if (other) {
        const returns = typesById.get(other.fn.returnTypeId)?.name ?? 'unknown';
        return `Could not choose the best candidate function between: ${schema}.${fn.name}(), ${schema}.${fn.name}( => ${returns}). ${candidates}`;
      }
    }
    const first = inputs[0];
    if (inputs.length === 1 && first && first.name !== '') {
      const others = group.filter(
        (o) =>
          o.fn !== fn &&
          o.inputs.length === 1 &&
          o.inputs[0]!.name === first.name &&
          o.inputs[0]!.typeId !== first.typeId,
      );
      if (others.length > 0) {
        const list = [{ fn, inputs }, ...others]
          .sort((a, b) => Number(a.inputs[0]?.typeId ?? 0) - Number(b.inputs[0]?.typeId ?? 0))
          .map(
            (o) =>
              `${schema}.${fn.name}(${o.inputs.map((a) => `${a.name || ''} => ${typesById.get(a.typeId)?.name ?? 'unknown'}`).join(', ')})`,
          )
          .join(', ');
        return `Could not choose the best candidate function between: ${list}. ${candidates}`;
      }
    }
    return null;
  };

  const returnsOf = (fn: DbFunction, returnType: string) => {
    const table = tableNameOf(fn.returnTypeRelationId, fn.returnTypeId);
    const manyRows = fn.rows !== null && fn.rows > 1;
    const setofOptions = (from: string, to: string, oneToOne: boolean, setofReturn: boolean) =>
      `SetofOptions: ${object(`from: ${from}\nto: ${to}\nisOneToOne: ${oneToOne}\nisSetofReturn: ${setofReturn}`)}`;
    let setof = table ? setofOptions('"*"', JSON.stringify(table), !manyRows, fn.setReturning) : '';
    const rowArg = fn.args.length === 1 ? rowTypeOf(fn.args[0]!.typeId) : undefined;
    if (rowArg && table) {
      const setOfTable = fn.setReturning && fn.returnTypeRelationId !== null;
      setof = setofOptions(
        JSON.stringify(rowArg.format),
        JSON.stringify(table),
        setOfTable ? !manyRows : true,
        setOfTable,
      );
    }
    // One row of a table collapses the array only with SetofOptions to restore it (postgrest-js).
    const collapses = !manyRows && table !== null;
    return `${returnType}${fn.setReturning && !collapses ? '[]' : ''}\n${setof}`;
  };

  const groups = new Map<string, Callable[]>();
  for (const c of callable) groups.set(c.fn.name, [...(groups.get(c.fn.name) ?? []), c]);
  return [...groups.entries()]
    .map(([name, group]) => {
      group.sort(
        (a, b) =>
          a.fn.argumentTypes.localeCompare(b.fn.argumentTypes) || a.fn.returnType.localeCompare(b.fn.returnType),
      );
      const signatures = group.map(({ fn, inputs }) => {
        let args = inputs.length > 0 ? argsOf(inputs) : 'never';
        let returns = functionReturnType(context, schema, fn);
        const refused = conflict(group, { fn, inputs });
        if (refused) {
          returns = `{ error: true } & ${JSON.stringify(refused)}`;
        } else if (
          inputs.length === 1 &&
          inputs[0]!.name === '' &&
          rowTypeOf(inputs[0]!.typeId) &&
          !tableNameOf(fn.returnTypeRelationId, fn.returnTypeId)
        ) {
          returns = `{ error: true } & ${JSON.stringify(
            `the function ${schema}.${fn.name} with parameter or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache`,
          )}`;
        } else if (inputs.length === 0) {
          args = 'never';
        }
        return `{ Args: ${args}; Returns: ${returnsOf(fn, returns)} }`;
      });
      return `${JSON.stringify(name)}:\n${signatures.join(' |\n')}`;
    })
    .join(',\n');
}
