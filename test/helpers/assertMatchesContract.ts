import type { ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { schemaFileName } from '../../controller/contracts/publishedContracts.js';
import { REPO_ROOT } from './repoPaths.js';

/*
 * Outputs are checked against the checked-in JSON Schema files, not the zod schemas: those files
 * are what users' pipelines validate with, so they are what a real output must satisfy.
 */

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
const validators = new Map<string, ValidateFunction>();

function validatorOf(schema: string): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    const path = join(REPO_ROOT, 'docs', 'schemas', schemaFileName(schema));
    validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')));
    validators.set(schema, validate);
  }
  return validate;
}

/** Where and how `value` breaks the published contract `schema` (e.g. 'pathprobe.pmtu/v1'); empty when it fits. */
export function contractViolations(schema: string, value: unknown): string[] {
  const validate = validatorOf(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`);
}

/** Fails the test unless `value` (parsed JSON) matches docs/schemas/<schema>.schema.json. */
export function assertMatchesContract(t: ExecutionContext, schema: string, value: unknown): void {
  const violations = contractViolations(schema, value);
  // anyOf reports every branch; the first lines are enough to see which field broke it.
  t.deepEqual(violations.slice(0, 20), [], `output does not match ${schema}`);
}
