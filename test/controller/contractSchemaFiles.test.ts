import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contractSchemaFiles } from '../../controller/contracts/contractJsonSchema.js';
import { PUBLISHED_CONTRACTS, schemaFileName } from '../../controller/contracts/publishedContracts.js';
import { REPO_ROOT } from '../helpers/repoPaths.js';

const SCHEMAS_DIR = join(REPO_ROOT, 'docs', 'schemas');
const CONTRACTS_SRC = join(REPO_ROOT, 'controller', 'contracts');

for (const file of contractSchemaFiles(PUBLISHED_CONTRACTS)) {
  test(`docs/schemas/${file.fileName} is exactly what the generator writes`, async (t) => {
    const checkedIn = await readFile(join(SCHEMAS_DIR, file.fileName), 'utf8').catch(() => null);
    t.not(checkedIn, null, `docs/schemas/${file.fileName} is missing: run npm run schemas`);
    t.true(checkedIn === file.text, `docs/schemas/${file.fileName} differs from the zod contract: run npm run schemas and commit the result`);
  });
}

test('docs/schemas holds no schema file that no published contract writes', async (t) => {
  const wanted = new Set(PUBLISHED_CONTRACTS.map((c) => schemaFileName(c.schema)));
  const stale = (await readdir(SCHEMAS_DIR)).filter((name) => name.endsWith('.schema.json') && !wanted.has(name));
  t.deepEqual(stale, [], 'run npm run schemas: it removes files of contracts no longer published');
});

test('the five outputs are published, each schema file with an $id, a title and its schema field as a constant', async (t) => {
  t.deepEqual(PUBLISHED_CONTRACTS.map((c) => c.schema), [
    'pathprobe.pmtu/v1', 'pathprobe.throughput/v1', 'pathprobe.run/v1', 'pathprobe.diff/v1', 'pathprobe.alert/v1',
  ]);
  for (const contract of PUBLISHED_CONTRACTS) {
    const json = JSON.parse(await readFile(join(SCHEMAS_DIR, schemaFileName(contract.schema)), 'utf8'));
    t.is(json.$schema, 'https://json-schema.org/draft/2020-12/schema');
    t.regex(json.$id, new RegExp(`${schemaFileName(contract.schema).replace(/\./g, '\\.')}$`));
    t.regex(json.title, new RegExp(`^${contract.schema.replace(/\./g, '\\.')}: `));
    const root = json.$ref ? json.$defs[json.$ref.replace('#/$defs/', '')] : json;
    t.deepEqual(root.properties.schema, { type: 'string', const: contract.schema }, contract.schema);
  }
});

test('contract schemas import only zod, proto/ and the model floor (the one vocabulary), so they can be read without the rest of the controller', async (t) => {
  const files = (await readdir(CONTRACTS_SRC)).filter((name) => name.endsWith('.ts'));
  t.true(files.length >= 5);
  for (const name of files) {
    const source = await readFile(join(CONTRACTS_SRC, name), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!);
    const foreign = imports.filter((from) => from !== 'zod' && !from.startsWith('../../proto/') && !from.startsWith('../model/') && !/^\.\/[^/]+\.js$/.test(from));
    t.deepEqual(foreign, [], name);
  }
});
