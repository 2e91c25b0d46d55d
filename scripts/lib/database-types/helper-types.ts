/**
 * The helper types `supabase gen types typescript` appends after `Database`: `Tables<'name'>`
 * (a row of a table or view of the default schema, `public`; `Tables<{ schema: 'other' }, 'name'>`
 * for another), `TablesInsert`, `TablesUpdate`, `Enums` and `CompositeTypes`, with the same
 * parameter names, so code written against the CLI's file compiles against this one.
 */
interface Helper {
  name: string;
  /** The first parameter: a name in the default schema, or `{ schema }`. */
  options: string;
  /** The second parameter: the name within `{ schema }`. */
  key: string;
  /** `keyof` what, with `$` for the schema. */
  keys: string;
  /** The entry for a schema and key. */
  entry: (schema: string, key: string) => string;
  /** The member an entry is unwrapped to (Row, Insert, Update), with its infer variable. */
  member?: [string, string];
}

const tablesAndViews = (schema: string) => `(${schema}["Tables"] & ${schema}["Views"])`;

function helper({ name, options, key, keys, entry, member }: Helper): string {
  const of = (schema: string) => keys.replaceAll('$', schema);
  const unwrap = (schema: string, k: string) =>
    member
      ? `${entry(schema, k)} extends { ${member[0]}: infer ${member[1]} } ? ${member[1]} : never`
      : entry(schema, k);
  const chosen = `DatabaseWithoutInternals[${options}["schema"]]`;
  return `export type ${name}<
  ${options} extends | ${of('DefaultSchema')} | { schema: keyof DatabaseWithoutInternals },
  ${key} extends ${options} extends { schema: keyof DatabaseWithoutInternals } ? ${of(chosen)} : never = never
> = ${options} extends { schema: keyof DatabaseWithoutInternals }
  ? ${unwrap(chosen, key)}
  : ${options} extends ${of('DefaultSchema')}
    ? ${unwrap('DefaultSchema', options)}
    : never
`;
}

const HELPERS: Helper[] = [
  {
    name: 'Tables',
    options: 'DefaultSchemaTableNameOrOptions',
    key: 'TableName',
    keys: `keyof ${tablesAndViews('$')}`,
    entry: (s, k) => `${tablesAndViews(s)}[${k}]`,
    member: ['Row', 'R'],
  },
  {
    name: 'TablesInsert',
    options: 'DefaultSchemaTableNameOrOptions',
    key: 'TableName',
    keys: 'keyof $["Tables"]',
    entry: (s, k) => `${s}["Tables"][${k}]`,
    member: ['Insert', 'I'],
  },
  {
    name: 'TablesUpdate',
    options: 'DefaultSchemaTableNameOrOptions',
    key: 'TableName',
    keys: 'keyof $["Tables"]',
    entry: (s, k) => `${s}["Tables"][${k}]`,
    member: ['Update', 'U'],
  },
  {
    name: 'Enums',
    options: 'DefaultSchemaEnumNameOrOptions',
    key: 'EnumName',
    keys: 'keyof $["Enums"]',
    entry: (s, k) => `${s}["Enums"][${k}]`,
  },
  {
    name: 'CompositeTypes',
    options: 'PublicCompositeTypeNameOrOptions',
    key: 'CompositeTypeName',
    keys: 'keyof $["CompositeTypes"]',
    entry: (s, k) => `${s}["CompositeTypes"][${k}]`,
  },
];

export const HELPER_TYPES = `
type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

${HELPERS.map(helper).join('\n')}`;
