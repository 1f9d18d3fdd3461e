import { z } from 'zod';
import { schemaFileName, type PublishedContract } from './publishedContracts.js';

/** Where the checked-in files claim to live: a stable name, not a fetchable address. */
export const SCHEMA_ID_BASE = 'urn:pathprobe:schemas:';

/**
 * The JSON Schema (draft 2020-12) of one contract, as checked in under docs/schemas/. `io: 'input'`
 * describes the documents the zod schema accepts, so objects stay open to new fields (zod's output
 * mode would close them with `additionalProperties: false`).
 */
export function contractJsonSchema(contract: PublishedContract): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(contract.zod, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' });
  const { description, ...rest } = body as Record<string, unknown>;
  return {
    $schema,
    $id: `${SCHEMA_ID_BASE}${schemaFileName(contract.schema)}`,
    title: `${contract.schema}: ${contract.producedBy}`,
    ...(description === undefined ? {} : { description }),
    ...rest,
  };
}

/** The exact text of a checked-in schema file. */
export function contractJsonSchemaText(contract: PublishedContract): string {
  return JSON.stringify(contractJsonSchema(contract), null, 2) + '\n';
}

/** Every file `npm run schemas` writes to docs/schemas/: name and text. */
export function contractSchemaFiles(contracts: readonly PublishedContract[]): Array<{ fileName: string; text: string }> {
  return contracts.map((contract) => ({ fileName: schemaFileName(contract.schema), text: contractJsonSchemaText(contract) }));
}
