import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { contractSchemaFiles } from '../controller/contracts/contractJsonSchema.js';
import { PUBLISHED_CONTRACTS } from '../controller/contracts/publishedContracts.js';

/*
 * npm run schemas: writes docs/schemas/pathprobe.<name>.v1.schema.json from the zod contracts in
 * controller/contracts/. The files are checked in so users' pipelines can validate without
 * pathprobe; a unit test fails when they differ from what this writes.
 */

const SCHEMAS_DIR = fileURLToPath(new URL('../../docs/schemas/', import.meta.url));

async function main(): Promise<void> {
  await mkdir(SCHEMAS_DIR, { recursive: true });
  const files = contractSchemaFiles(PUBLISHED_CONTRACTS);
  for (const file of files) {
    await writeFile(SCHEMAS_DIR + file.fileName, file.text);
    process.stdout.write(`wrote docs/schemas/${file.fileName}\n`);
  }
  // A contract no longer published must not leave a file that looks current.
  const wanted = new Set(files.map((f) => f.fileName));
  for (const name of await readdir(SCHEMAS_DIR)) {
    if (name.endsWith('.schema.json') && !wanted.has(name)) {
      await rm(SCHEMAS_DIR + name);
      process.stdout.write(`removed docs/schemas/${name}\n`);
    }
  }
}

await main();
