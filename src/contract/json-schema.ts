import { z } from 'zod';
import { MESSAGE_SCHEMAS } from './message-schemas.ts';
import { MESSAGE_TYPES } from './message-types.ts';

export type JsonSchema = { readonly [key: string]: unknown };

/**
 * The contract as one JSON Schema (draft 2020-12) for the Python agents package:
 * `$defs.<type>` per message type and `oneOf` over them. Keys are sorted, so the document
 * depends only on the schemas. `npm run contract:schema` writes it to
 * `agents/pubdev_agents/contract.schema.json`; a unit test fails when the two drift.
 */
export function buildContractJsonSchema(): JsonSchema {
  const defs = Object.fromEntries(
    MESSAGE_TYPES.map((type) => {
      // `io: 'input'` describes what a producer may send: nullish fields are optional and
      // nullable, and objects stay open to extra keys, which zod strips rather than rejects.
      const { $schema: _, ...schema } = z.toJSONSchema(MESSAGE_SCHEMAS[type], {
        target: 'draft-2020-12',
        io: 'input',
      });
      return [type, schema];
    }),
  );
  return sortKeys({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'PubDev Realtime message',
    description: 'Generated from src/contract by `npm run contract:schema`; do not edit.',
    oneOf: MESSAGE_TYPES.map((type) => ({ $ref: `#/$defs/${type}` })),
    $defs: defs,
  }) as JsonSchema;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
