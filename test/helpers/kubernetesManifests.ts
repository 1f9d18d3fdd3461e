import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { REPO_ROOT } from './repoPaths.js';

/*
 * Kubernetes manifests checked the way a cluster would take them, without a cluster:
 * - YAML 1.1, as Kubernetes' own decoder reads it (0440 is octal, a duplicate key is an error);
 * - each document against its kind's schema (kubernetes-models, generated from the Kubernetes
 *   OpenAPI spec): types, required fields, enums;
 * - no field the kind does not have. The schema validators accept unknown fields, which
 *   `kubectl apply` refuses (strict field validation), and a misspelt field is the likeliest break.
 *   kubernetes-models' TypeScript interfaces come from the same spec, so the TypeScript compiler
 *   checks each document as an object literal of its kind's interface: an excess property is an error.
 */

export type Doc = Record<string, unknown>;

export interface Manifest {
  /** File name within the folder, and the document's place in it (0-based). */
  file: string;
  index: number;
  doc: Doc;
}

interface Kind {
  validate: (doc: Doc) => void;
  /** The module and interface of the kind's TypeScript type. */
  typeModule: string;
  typeName: string;
}

const kind = (Model: new (data: never) => { validate(): void }, typeModule: string, typeName: string): Kind => ({
  validate: (doc) => new Model(doc as never).validate(),
  typeModule,
  typeName,
});

/** The kinds the deploy manifests may use, by `apiVersion/kind`; any other is a problem. */
const KINDS: Record<string, Kind> = {
  'v1/Namespace': kind(Namespace, 'kubernetes-models/v1/Namespace', 'INamespace'),
  'v1/ServiceAccount': kind(ServiceAccount, 'kubernetes-models/v1/ServiceAccount', 'IServiceAccount'),
  'v1/Service': kind(Service, 'kubernetes-models/v1/Service', 'IService'),
  'v1/ConfigMap': kind(ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'),
  'v1/Secret': kind(Secret, 'kubernetes-models/v1/Secret', 'ISecret'),
  'apps/v1/DaemonSet': kind(DaemonSet, 'kubernetes-models/apps/v1/DaemonSet', 'IDaemonSet'),
  'apps/v1/Deployment': kind(Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'),
  'batch/v1/CronJob': kind(CronJob, 'kubernetes-models/batch/v1/CronJob', 'ICronJob'),
};

const kindKey = (doc: Doc): string => `${String(doc.apiVersion)}/${String(doc.kind)}`;

/** Every non-empty YAML document of `text`; throws with the file's name on any YAML error. */
export function parseManifests(file: string, text: string): Manifest[] {
  const documents = parseAllDocuments(text, { version: '1.1', prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.flatMap((document, index) => {
    const problems = [...document.errors, ...document.warnings].map((e) => e.message);
    if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
    const doc: unknown = document.toJS();
    if (doc === null) return [];
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file} document ${index}: not a mapping`);
    return [{ file, index, doc: doc as Doc }];
  });
}

/** Every document of every *.yaml / *.yml file in `dir`, files in name order (as `kubectl apply -f dir`). */
export function loadManifests(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => parseManifests(name, readFileSync(join(dir, name), 'utf8')));
}

/** How `doc` breaks its kind's schema; empty when it fits. */
export function schemaProblems(doc: Doc): string[] {
  const known = KINDS[kindKey(doc)];
  if (!known) return [`no schema for ${kindKey(doc)} (known: ${Object.keys(KINDS).join(', ')})`];
  try {
    known.validate(doc);
    return [];
  } catch (error) {
    return String((error as Error).message).split(', ');
  }
}

/**
 * For each document, in the order given, the fields its kind does not have (TypeScript reports
 * the first excess property of each object) and fields of the wrong type. Documents of unknown
 * kinds get none here: schemaProblems reports them.
 */
export function fieldProblems(docs: readonly Doc[]): string[][] {
  const imports: string[] = [];
  const declarations: string[] = [];
  const typeAlias = new Map<string, string>();
  for (const doc of docs) {
    const known = KINDS[kindKey(doc)];
    if (known && !typeAlias.has(kindKey(doc))) {
      const alias = `K${typeAlias.size}`;
      typeAlias.set(kindKey(doc), alias);
      imports.push(`import type { ${known.typeName} as ${alias} } from '${known.typeModule}';`);
    }
  }
  let text = `${imports.join('\n')}\n`;
  const spans: Array<{ start: number; end: number }> = [];
  docs.forEach((doc, i) => {
    const alias = typeAlias.get(kindKey(doc)) ?? 'unknown';
    const declaration = `export const doc${i}: ${alias} = ${JSON.stringify(doc, null, 1)};\n`;
    spans.push({ start: text.length, end: text.length + declaration.length });
    declarations.push(declaration);
    text += declaration;
  });

  // A file that is never written: the compiler host serves it, next to node_modules so the
  // package's types resolve as they would from a source file of the repository.
  const fileName = join(REPO_ROOT, '__kubernetesManifests.ts');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName ? ts.createSourceFile(name, text, languageVersion) : getSourceFile(name, languageVersion, ...rest);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);

  const problems: string[][] = docs.map(() => []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0]!;
    const at = diagnostic.file?.fileName === fileName ? diagnostic.start ?? -1 : -1;
    const owner = spans.findIndex((span) => at >= span.start && at < span.end);
    // Anything outside a document (a type that did not resolve) breaks the check itself.
    if (owner < 0) throw new Error(`the manifest type check could not run: ${message}`);
    problems[owner]!.push(message);
  }
  return problems;
}
