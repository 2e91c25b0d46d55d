import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, buildContractJsonSchema } from '../../src/contract/index.ts';
import { ALL_VALID_MESSAGES } from './_messages.ts';

const SCHEMA_FILE = new URL('../../agents/pubdev_agents/contract.schema.json', import.meta.url);

type Schema = { readonly [key: string]: unknown };

/**
 * Checks `value` against the subset of JSON Schema the generated document uses (type, const,
 * enum, required, properties, items, anyOf, bounds, pattern, $ref into $defs) and returns the
 * paths that fail. Enough to prove that what zod accepts, the Python side accepts too.
 */
function violations(schema: Schema, value: unknown, root: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/$defs/', '');
    return violations((root.$defs as Record<string, Schema>)[name] ?? {}, value, root, path);
  }
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const options = (schema.anyOf ?? schema.oneOf) as Schema[];
    const matching = options.filter((option) => violations(option, value, root, path).length === 0).length;
    const ok = schema.oneOf ? matching === 1 : matching > 0;
    return ok ? [] : [`${path}: ${matching} of ${options.length} alternatives match`];
  }
  const found: string[] = [];
  const fail = (reason: string) => found.push(`${path}: ${reason}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => jsonTypeMatches(type, value))) return [`${path}: expected ${types.join('|')}`];
  }
  if ('const' in schema && schema.const !== value) fail(`expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail('not in enum');
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('below minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('above maximum');
  }
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) fail('pattern');
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) fail('too short');
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) fail('too long');
  }
  if (Array.isArray(value) && typeof schema.items === 'object' && schema.items !== null) {
    value.forEach((item, index) => found.push(...violations(schema.items as Schema, item, root, `${path}.${index}`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) fail(`missing required ${key}`);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, property] of Object.entries(properties)) {
      if (key in object) found.push(...violations(property, object[key], root, `${path}.${key}`));
    }
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(object)) if (!(key in properties)) fail(`unexpected ${key}`);
    }
  }
  return found;
}

function jsonTypeMatches(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

describe('agents/pubdev_agents/contract.schema.json', () => {
  const generated = buildContractJsonSchema();

  it('matches buildContractJsonSchema()', () => {
    const committed: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(committed, 'contract.schema.json is stale: run `npm run contract:schema` and commit the result').toEqual(
      generated,
    );
  });

  it('has one $defs entry per message type, referenced from oneOf', () => {
    expect(generated.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(generated.$defs as Schema).toSorted()).toEqual([...MESSAGE_TYPES].toSorted());
    expect(generated.oneOf).toEqual(MESSAGE_TYPES.map((type) => ({ $ref: `#/$defs/${type}` })));
  });

  it.each(ALL_VALID_MESSAGES)('accepts %s', (_name, message) => {
    const type = (message as { type: string }).type;
    const def = (generated.$defs as Record<string, Schema>)[type] ?? {};
    for (const key of def.required as string[]) expect(message).toHaveProperty(key);
    expect(violations(generated, message, generated)).toEqual([]);
  });

  it('rejects a message of unknown type and one missing a required key', () => {
    const [, example] = ALL_VALID_MESSAGES[0] ?? [];
    expect(violations(generated, { ...(example as object), type: 'chat' }, generated)).not.toEqual([]);
    const { data: _, ...withoutData } = example as Record<string, unknown>;
    expect(violations(generated, withoutData, generated)).not.toEqual([]);
  });
});
