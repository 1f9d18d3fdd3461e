import test from 'ava';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/repoPaths.js';
import { runCli } from '../helpers/runCli.js';

/** Module specifiers of the static imports and re-exports of one source file (`import()` is not one). */
function staticImports(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  for (const statement of file.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifiers.push(statement.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expression = statement.moduleReference.expression;
      if (ts.isStringLiteral(expression)) specifiers.push(expression.text);
    }
  }
  return specifiers;
}

const intoScripts = (specifier: string): boolean => /(^|\/)scripts\//.test(specifier);

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

test('the import check sees a static import of scripts/, type-only included, and not a dynamic one', (t) => {
  const sample = [
    "import { labUp } from '../../../scripts/lab/labUp.js';",
    "import type { Lab } from '../../../scripts/lab/lab.js';",
    "export { silentCap } from '../../../scripts/lab/topologies.js';",
    "const lazy = () => import('../../../scripts/lab/cleanupStale.js');",
  ].join('\n');
  t.deepEqual(staticImports('sample.ts', sample).filter(intoScripts), [
    '../../../scripts/lab/labUp.js',
    '../../../scripts/lab/lab.js',
    '../../../scripts/lab/topologies.js',
  ]);
});

test('no file under controller/ statically imports anything under scripts/', async (t) => {
  const files = await sourceFiles(join(REPO_ROOT, 'controller'));
  t.true(files.length > 10, `only ${files.length} files found under controller/`);
  const offenders: string[] = [];
  for (const file of files) {
    for (const specifier of staticImports(file, await readFile(file, 'utf8'))) {
      if (intoScripts(specifier)) offenders.push(`${relative(REPO_ROOT, file)}: ${specifier}`);
    }
  }
  t.deepEqual(offenders, []);
});

/**
 * Runs the real CLI with a resolve hook (registered through --import) that logs every URL the
 * process resolves, and returns those URLs.
 */
async function resolvedUrls(t: import('ava').ExecutionContext, args: readonly string[], extraImports: readonly string[] = []): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-resolve-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'resolved.log');
  await writeFile(log, '');
  await writeFile(join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const result = await next(specifier, context);',
    "  appendFileSync(process.env.PATHPROBE_RESOLVE_LOG, result.url + '\\n');",
    '  return result;',
    '}',
  ].join('\n'));
  await writeFile(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  const imports = [pathToFileURL(join(dir, 'register.mjs')).href, ...extraImports].map((url) => `--import=${url}`).join(' ');
  const result = await runCli(args, { env: { NODE_OPTIONS: imports, PATHPROBE_RESOLVE_LOG: log } });
  t.is(result.exitCode, 0, result.stderr);
  return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
}

const labModules = (urls: readonly string[]): string[] => urls.filter((url) => url.includes('/scripts/lab/'));

test('the resolve log shows a lab module when the process does load one', async (t) => {
  const labModule = pathToFileURL(join(REPO_ROOT, 'dist/scripts/lab/labNaming.js')).href;
  const urls = await resolvedUrls(t, ['--version'], [labModule]);
  t.deepEqual(labModules(urls), [labModule]);
});

for (const args of [['--version'], ['runs', '--help'], ['demo', '--help']]) {
  test(`\`pathprobe ${args.join(' ')}\` runs without loading any scripts/lab module`, async (t) => {
    const urls = await resolvedUrls(t, args);
    // The demo command's own module is loaded (main registers it): only the lab behind it is not.
    t.true(urls.some((url) => url.endsWith('/dist/controller/cli/commands/demoCommand.js')), urls.join('\n'));
    t.deepEqual(labModules(urls), []);
  });
}
