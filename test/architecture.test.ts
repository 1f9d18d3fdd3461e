import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './helpers/repoPaths.js';

/*
 * The import graph of the source tree (agent/, controller/, proto/, scripts/), read from the
 * TypeScript sources rather than dist/, so a stale build cannot hide an import. `import type`,
 * `export ... from` and dynamic `import()` all count: a type-only cycle still couples the modules
 * and breaks as soon as one side needs a value.
 */

const SOURCE_FOLDERS = ['agent', 'controller', 'proto', 'scripts'] as const;
type Folder = (typeof SOURCE_FOLDERS)[number];

interface ImportEdge {
  from: string;
  /** Repository-relative path of the imported source file (or of where it would be). */
  to: string;
  specifier: string;
  dynamic: boolean;
}

function sourceFiles(folder: string): string[] {
  const dir = join(REPO_ROOT, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** `./x.js` → `x.ts` (NodeNext: sources name the compiled file), else `.d.ts`, else `x/index.ts`. */
function resolveRelative(from: string, specifier: string): string {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(m?js|ts)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.d.ts`, `${stem}/index.ts`];
  return candidates.find((candidate) => existsSync(join(REPO_ROOT, candidate))) ?? `${stem}.ts`;
}

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .filter((ref) => ref.fileName.startsWith('.'))
    .map((ref) => ({
      from: file,
      to: resolveRelative(file, ref.fileName),
      specifier: ref.fileName,
      // pos is the opening quote: `import(` before it is a dynamic import (or an `import('x').T`
      // type, which is erased and so is no static dependency either).
      dynamic: /\bimport\s*\(\s*$/.test(text.slice(Math.max(0, ref.pos - 40), ref.pos)),
    }));
}

const FILES = SOURCE_FOLDERS.flatMap(sourceFiles);
const EDGES = FILES.flatMap(importsOf);

function topFolder(path: string): string {
  return path.split('/')[0]!;
}

function edgeText(edge: ImportEdge): string {
  return `${edge.from} → ${edge.to}${edge.dynamic ? ' (dynamic import)' : ''}`;
}

/** Strongly connected components (Tarjan) of the file graph, each sorted. */
function stronglyConnected(nodes: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}

/**
 * For every file on a cycle, the shortest cycle through it, written `a → b → a` from its
 * alphabetically first file; the same cycle found from two of its files is listed once.
 */
function importCycles(files: readonly string[], edges: ReadonlyArray<Pick<ImportEdge, 'from' | 'to'>>): string[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const list = next.get(edge.from) ?? [];
    if (!list.includes(edge.to)) list.push(edge.to);
    next.set(edge.from, list);
  }
  const cycles = new Set<string>();
  for (const component of stronglyConnected(files, next)) {
    const members = new Set(component);
    for (const start of component) {
      // Breadth-first inside the component, back to start.
      const parent = new Map<string, string>();
      const queue = [start];
      let closing: string | null = null;
      while (queue.length > 0 && closing === null) {
        const node = queue.shift()!;
        for (const to of next.get(node) ?? []) {
          if (to === start) { closing = node; break; }
          if (!members.has(to) || parent.has(to)) continue;
          parent.set(to, node);
          queue.push(to);
        }
      }
      if (closing === null) continue;
      const path = [closing];
      while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
      const first = path.indexOf([...path].sort()[0]!);
      const rotated = [...path.slice(first), ...path.slice(0, first)];
      cycles.add([...rotated, rotated[0]].join(' → '));
    }
  }
  return [...cycles].sort();
}

/** Imports from `folder` into another top folder of the project that `allowed` does not accept. */
function forbiddenImports(folder: Folder, allowed: (edge: ImportEdge) => boolean): string[] {
  return EDGES
    .filter((edge) => topFolder(edge.from) === folder && topFolder(edge.to) !== folder && !allowed(edge))
    .map(edgeText)
    .sort();
}

test('the import graph is read from the sources: files in every folder, and imports between them', (t) => {
  for (const folder of SOURCE_FOLDERS) t.true(FILES.some((file) => topFolder(file) === folder), `no .ts files found in ${folder}/`);
  t.true(EDGES.length > FILES.length, `only ${EDGES.length} relative imports in ${FILES.length} files`);
});

test('every relative import names a source file that exists', (t) => {
  const unresolved = EDGES.filter((edge) => !existsSync(join(REPO_ROOT, edge.to))).map((edge) => `${edge.from}: ${edge.specifier}`);
  t.deepEqual(unresolved, []);
});

test('the cycle finder names the shortest cycle through each file on one, once, from its first file back to it', (t) => {
  const edges = [['b', 'a'], ['a', 'b'], ['c', 'd'], ['d', 'e'], ['e', 'c'], ['e', 'f'], ['g', 'g']].map(([from, to]) => ({ from: from!, to: to! }));
  t.deepEqual(importCycles(['a', 'b', 'c', 'd', 'e', 'f', 'g'], edges), ['a → b → a', 'c → d → e → c', 'g → g']);
});

test('no module imports itself back through any chain of imports (type-only and dynamic imports count)', (t) => {
  const cycles = importCycles(FILES, EDGES);
  t.deepEqual(cycles, [], `${cycles.length} import cycles:\n${cycles.join('\n')}`);
});

test('proto/ imports nothing of the project outside proto/', (t) => {
  const forbidden = forbiddenImports('proto', () => false);
  t.deepEqual(forbidden, [], forbidden.join('\n'));
});

test('agent/ imports only proto/ and agent/ of the project', (t) => {
  const forbidden = forbiddenImports('agent', (edge) => topFolder(edge.to) === 'proto');
  t.deepEqual(forbidden, [], forbidden.join('\n'));
});

/** `pathprobe agent` becomes the agent program: the CLI's entry point imports the agent's entry point, dynamically, and nothing else of agent/. */
const cliHandsOverToAgent = (edge: ImportEdge): boolean =>
  edge.dynamic && edge.from === 'controller/cli/main.ts' && edge.to === 'agent/main.ts';

test('controller/ imports only proto/ and controller/, except that the demo command loads the lab (scripts/lab/) dynamically and the CLI entry hands over to the agent program', (t) => {
  const demoLoadsLab = (edge: ImportEdge) =>
    edge.dynamic && /^controller\/cli\/commands\/demo[^/]*\.ts$/.test(edge.from) && edge.to.startsWith('scripts/lab/');
  const forbidden = forbiddenImports('controller', (edge) => topFolder(edge.to) === 'proto' || demoLoadsLab(edge) || cliHandsOverToAgent(edge));
  t.deepEqual(forbidden, [], forbidden.join('\n'));
});

test('the one way from controller/ into agent/ is the CLI entry point importing the agent program dynamically', (t) => {
  const handOvers = EDGES.filter(cliHandsOverToAgent).map(edgeText);
  t.deepEqual(handOvers, ['controller/cli/main.ts → agent/main.ts (dynamic import)']);
  const sample = (from: string, to: string, dynamic: boolean): ImportEdge => ({ from, to, specifier: to, dynamic });
  t.false(cliHandsOverToAgent(sample('controller/cli/main.ts', 'agent/main.ts', false)), 'a static import would load the agent into every command');
  t.false(cliHandsOverToAgent(sample('controller/cli/main.ts', 'agent/server/createAgentServer.ts', true)), 'only the entry point, not its modules');
  t.false(cliHandsOverToAgent(sample('controller/cli/commands/agentCommand.ts', 'agent/main.ts', true)), 'only from the CLI entry point');
});

test('no source file imports from test/ or dist/', (t) => {
  const inward = EDGES.filter((edge) => !(SOURCE_FOLDERS as readonly string[]).includes(topFolder(edge.to))).map(edgeText).sort();
  t.deepEqual(inward, [], inward.join('\n'));
});

test('controller/model/, the ground floor, imports only proto/ and itself', (t) => {
  const forbidden = EDGES
    .filter((edge) => edge.from.startsWith('controller/model/') && !edge.to.startsWith('controller/model/') && topFolder(edge.to) !== 'proto')
    .map(edgeText)
    .sort();
  t.deepEqual(forbidden, [], forbidden.join('\n'));
});

test('a test kind reaches the run, diff, report and serve layers only through the kinds registry, never the other way round', (t) => {
  const kindFolders = ['controller/pmtu/', 'controller/throughput/'];
  const upper = ['controller/run/', 'controller/diff/', 'controller/report/', 'controller/serve/', 'controller/cli/', 'controller/aggregate/'];
  // A kind may read the run's types (progress, store) to measure; it never imports what composes kinds.
  const composers = ['controller/kinds/testKinds.ts', 'controller/run/runService.ts', 'controller/run/runPlan.ts', 'controller/diff/diffRuns.ts', 'controller/report/html/renderRunHtml.ts', 'controller/serve/serveMetrics.ts', 'controller/schedule/estimateRun.ts'];
  const forbidden = EDGES
    .filter((edge) => kindFolders.some((k) => edge.from.startsWith(k)) && (composers.includes(edge.to) || (upper.some((u) => edge.to.startsWith(u)) && !edge.to.startsWith('controller/run/runProgress'))))
    .map(edgeText)
    .sort();
  t.deepEqual(forbidden, [], forbidden.join('\n'));
});

test('scripts/lab/ is its own layer: it imports nothing from agent/ or controller/', (t) => {
  const forbidden = EDGES
    .filter((edge) => edge.from.startsWith('scripts/lab/') && ['agent', 'controller'].includes(topFolder(edge.to)))
    .map(edgeText)
    .sort();
  t.deepEqual(forbidden, [], forbidden.join('\n'));
});
