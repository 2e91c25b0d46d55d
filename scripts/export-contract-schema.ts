// Writes the contract's JSON Schema for the Python agents package (see src/contract/json-schema.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildContractJsonSchema } from '../src/contract/index.ts';

const target = new URL('../agents/pubdev_agents/contract.schema.json', import.meta.url);
mkdirSync(new URL('.', target), { recursive: true });
writeFileSync(target, `${JSON.stringify(buildContractJsonSchema(), null, 2)}\n`);
console.log(`wrote ${fileURLToPath(target)}`);
