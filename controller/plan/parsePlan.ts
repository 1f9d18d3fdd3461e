import { resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { PathprobeError } from '../../proto/errorCodes.js';
import { canonicalAddress } from '../../proto/ipAddress.js';
import { PMTU_FLOWS } from '../pmtu/flowRule.js';
import { parseAgentUrl } from '../agentClient/agentClient.js';
import { parseDuration, parseStreams } from '../throughput/parseThroughputOptions.js';
import { TEST_KIND_NAMES, type TestKindName, type Plan, type PlanAgent, type PlanExpectations } from '../model/plan.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TESTS, DEFAULT_THROUGHPUT, EXPECTED, KNOWN_FIELDS, PlanInput } from './planSchema.js';

export interface ParsePlanOptions {
  /** How errors name the file, e.g. "rack12.yaml" (the path as the user gave it). */
  fileName: string;
  /** The plan file's directory: a relative tokenFile is resolved against it. */
  baseDir: string;
  /**
   * Checks the resolved token file and returns what is wrong with it ("no such file", "is empty")
   * or null. parsePlan itself never touches the file system; loadPlan passes a real check.
   */
  checkTokenFile?: (absolutePath: string) => string | null;
}

type FieldPath = ReadonlyArray<string | number>;
type Issue = z.core.$ZodIssue;

/**
 * Parses and validates the text of a plan file. Throws PathprobeError('ERR_USAGE') with one line
 * "<file>:<line>: <field>: <problem>" for the first problem in the file.
 *
 * Defaults: addresses "all", labels {}, expect {}, tests [pmtu], throughput { streams [1,2,4,8,16],
 * 10 s, 3 repeats }, concurrency { pmtuParallel 8, throughput rounds }. Listing `throughput` in
 * `tests` also runs `pmtu` (the path MTU of a pair explains its throughput), so the plan's tests
 * then always include pmtu; tests come out in the order pmtu, throughput.
 */
export function parsePlan(text: string, options: ParsePlanOptions): Plan {
  const source = new PlanSource(text, options.fileName);
  const input = source.validate();
  return source.build(input, options);
}

class PlanSource {
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document.Parsed;
  private readonly data: unknown;

  constructor(text: string, private readonly fileName: string) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false });
    const syntaxError = this.doc.errors[0];
    if (syntaxError) {
      throw this.error(this.lineAt(syntaxError.pos[0]), `invalid YAML: ${syntaxError.message}`, syntaxError);
    }
    try {
      this.data = this.doc.toJS();
    } catch (error) {
      throw this.error(1, `invalid YAML: ${(error as Error).message}`, error);
    }
  }

  /** The shape: types, ranges and unknown fields, worded per field. */
  validate(): PlanInput {
    if (this.doc.contents === null || this.data === null || this.data === undefined) {
      throw this.error(1, `the plan is empty; expected ${EXPECTED['']}`);
    }
    const result = PlanInput.safeParse(this.data);
    if (result.success) return result.data;
    const problems = result.error.issues
      .flatMap((issue) => flattenUnion(issue, []))
      .flatMap(({ path, issue }) => this.describe(path, issue))
      .sort((a, b) => a.line - b.line);
    const first = problems[0]!;
    throw this.error(first.line, first.message);
  }

  private describe(path: FieldPath, issue: Issue): Array<{ line: number; message: string }> {
    if (issue.code === 'unrecognized_keys') {
      const known = KNOWN_FIELDS[expectedKey(path)] ?? [];
      const prefix = path.length === 0 ? '' : `${fieldName(path)}: `;
      return issue.keys.map((key) => ({
        line: this.lineOf([...path, key]),
        message: `${prefix}unknown field ${JSON.stringify(key)} (known: ${known.join(', ')})`,
      }));
    }
    const expected = EXPECTED[expectedKey(path)] ?? issue.message;
    const value = valueAt(this.data, path);
    const prefix = path.length === 0 ? '' : `${fieldName(path)}: `;
    const message = value === undefined
      ? `${prefix}required field is missing; expected ${expected}`
      : `${prefix}expected ${expected}, got ${show(value)}`;
    return [{ line: this.lineOf(path), message }];
  }

  /** Defaults and the checks that span fields: pairs, duplicates, URLs, durations, the token file. */
  build(input: PlanInput, options: ParsePlanOptions): Plan {
    if (input.agents.length < 2) {
      const found = input.agents.length === 0 ? 'no agents' : `only 1 agent (${JSON.stringify(input.agents[0]!.name)})`;
      this.fail(['agents'], `found ${found}, but a pair needs two: list at least 2 agents`);
    }
    const firstName = new Map<string, number>();
    const firstUrl = new Map<string, number>();
    const addressOwner = new Map<string, { agent: string; index: number; position: number }>();
    const agents: PlanAgent[] = input.agents.map((agent, index) => {
      const nameAt = firstName.get(agent.name);
      if (nameAt !== undefined) {
        this.fail(['agents', index, 'name'], `duplicate agent ${JSON.stringify(agent.name)} (first at line ${this.lineOf(['agents', nameAt, 'name'])})`);
      }
      firstName.set(agent.name, index);

      const urlPath = ['agents', index, 'url'];
      const url = this.attempt(urlPath, () => parseAgentUrl(agent.url, `${fieldName(urlPath)}:`));
      const urlAt = firstUrl.get(url.href);
      if (urlAt !== undefined) {
        this.fail(urlPath, `${JSON.stringify(agent.url)} is also the URL of agent ${JSON.stringify(input.agents[urlAt]!.name)} (line ${this.lineOf(['agents', urlAt, 'url'])})`);
      }
      firstUrl.set(url.href, index);

      const listed = agent.addresses ?? 'all';
      const addresses = listed === 'all' ? 'all' : listed.map((entry) => (typeof entry === 'string' ? entry : entry.address));
      if (addresses !== 'all') {
        addresses.forEach((address, position) => {
          const key = canonicalAddress(address);
          const owner = addressOwner.get(key);
          if (owner) {
            const where = owner.index === index ? 'is listed twice for this agent' : `is also an address of agent ${JSON.stringify(owner.agent)}`;
            this.fail(['agents', index, 'addresses', position], `${address} ${where} (line ${this.lineOf(['agents', owner.index, 'addresses', owner.position])})`);
          }
          addressOwner.set(key, { agent: agent.name, index, position });
        });
      }
      const labelsOf = (given: Record<string, string | number> | undefined) => Object.fromEntries(Object.entries(given ?? {}).map(([name, value]) => [name, String(value)]));
      const labels = labelsOf(agent.labels);
      const nicLabels = Object.fromEntries((listed === 'all' ? [] : listed)
        .flatMap((entry) => (typeof entry === 'string' || entry.labels === undefined ? [] : [[canonicalAddress(entry.address), labelsOf(entry.labels)]])));
      return {
        name: agent.name, url: agent.url, addresses: addresses === 'all' ? 'all' : [...addresses], labels,
        ...(Object.keys(nicLabels).length > 0 ? { nicLabels } : {}),
      };
    });

    const expect: PlanExpectations = {};
    if (input.expect?.pathMtu !== undefined) expect.pathMtu = input.expect.pathMtu;
    if (input.expect?.minLinkEfficiency !== undefined) expect.minLinkEfficiency = input.expect.minLinkEfficiency;
    if (input.expect?.maxRetransmitsPerGB !== undefined) expect.maxRetransmitsPerGB = input.expect.maxRetransmitsPerGB;

    const listed = input.tests ?? DEFAULT_TESTS;
    listed.forEach((test, index) => {
      const first = listed.indexOf(test);
      if (first !== index) this.fail(['tests', index], `${test} is listed twice (first at line ${this.lineOf(['tests', first])})`);
    });
    const wanted = new Set<TestKindName>(listed);
    if (wanted.has('throughput')) wanted.add('pmtu');
    const tests = TEST_KIND_NAMES.filter((test) => wanted.has(test));

    const throughput = { ...DEFAULT_THROUGHPUT };
    const streams = input.throughput?.streams;
    if (streams !== undefined) {
      const streamsPath = ['throughput', 'streams'];
      const text = typeof streams === 'string' ? streams : streams.join(',');
      throughput.streams = this.attempt(streamsPath, () => parseStreams(text), `--streams ${JSON.stringify(text)}: `);
    }
    const duration = input.throughput?.duration;
    if (duration !== undefined) {
      const durationPath = ['throughput', 'duration'];
      throughput.durationMs = this.attempt(durationPath, () => parseDuration(String(duration), `${fieldName(durationPath)}:`, 1000));
    }
    if (input.throughput?.repeats !== undefined) throughput.repeats = input.throughput.repeats;

    const concurrency = {
      pmtuParallel: input.concurrency?.pmtuParallel ?? DEFAULT_CONCURRENCY.pmtuParallel,
      throughput: input.concurrency?.throughput ?? DEFAULT_CONCURRENCY.throughput,
    };

    const tokenFile = resolve(options.baseDir, input.tokenFile);
    const tokenProblem = options.checkTokenFile?.(tokenFile);
    if (tokenProblem) this.fail(['tokenFile'], `${input.tokenFile}: ${tokenProblem}`);

    const flows = input.pmtu?.flows;
    // Many flows unless the plan says otherwise: one flow reads whatever path it is hashed onto.
    const pmtu = { flows: flows === 'auto' || flows === undefined ? PMTU_FLOWS : flows };

    // Files, like tokenFile, are relative to the plan; they are read when the run starts.
    if (input.tls !== undefined && (input.tls.cert === undefined) !== (input.tls.key === undefined)) {
      this.fail(['tls'], 'give both tls.cert and tls.key, or neither');
    }
    const tls = input.tls === undefined ? undefined : Object.fromEntries(
      Object.entries(input.tls).map(([field, path]) => {
        const absolute = resolve(options.baseDir, path);
        // The same readable-file check as tokenFile's: a plan that cannot run fails before it is stored.
        const problem = options.checkTokenFile?.(absolute);
        if (problem) this.fail(['tls', field], `${path}: ${problem}`);
        return [field, absolute];
      }),
    ) as Plan['tls'];

    return { tokenFile, ...(tls === undefined ? {} : { tls }), agents, expect, tests, throughput, pmtu, pairs: input.pairs ?? 'in-rail', concurrency };
  }

  /** The line of a field: its key's line in a mapping, its item's line in a list, else its nearest parent's. */
  lineOf(path: FieldPath): number {
    let node: unknown = this.doc.contents;
    let line = hasRange(node) ? this.lineAt(node.range[0]) : 1;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        if (hasRange(pair.key)) line = this.lineAt(pair.key.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) break;
        if (hasRange(item)) line = this.lineAt(item.range[0]);
        node = item;
      } else {
        break;
      }
    }
    return line;
  }

  private lineAt(offset: number): number {
    return this.lineCounter.linePos(offset).line;
  }

  /** Runs a check that throws a PathprobeError naming the field; re-throws it with file and line. */
  private attempt<T>(path: FieldPath, check: () => T, replacePrefix?: string): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof PathprobeError)) throw error;
      const message = replacePrefix && error.message.startsWith(replacePrefix)
        ? `${fieldName(path)}: ${error.message.slice(replacePrefix.length)}`
        : error.message;
      throw this.error(this.lineOf(path), message, error);
    }
  }

  private fail(path: FieldPath, problem: string): never {
    throw this.error(this.lineOf(path), `${fieldName(path)}: ${problem}`);
  }

  private error(line: number, message: string, cause?: unknown): PathprobeError {
    // Every Unicode line break, not only CR and LF: a U+2028 in a quoted value splits the line in
    // editors, log viewers and JavaScript's own regular expressions.
    const oneLine = `${this.fileName}:${line}: ${message}`.replace(/\s*[\n\v\f\r\u0085\u2028\u2029]+\s*/g, ' ');
    return new PathprobeError('ERR_USAGE', oneLine, cause === undefined ? undefined : { cause });
  }
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);
}

/** A union that failed below its top (a list with one bad item) reports the item, not the union. */
function flattenUnion(issue: Issue, prefix: FieldPath): Array<{ path: FieldPath; issue: Issue }> {
  const path = [...prefix, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
  if (issue.code === 'invalid_union') {
    const deeper = issue.errors.find((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
    if (deeper) return deeper.flatMap((inner) => flattenUnion(inner, path));
  }
  return [{ path, issue }];
}

/** ['agents', 1, 'url'] → "agents[1].url" */
export function fieldName(path: FieldPath): string {
  return path.map((segment, index) => {
    if (typeof segment === 'number') return `[${segment}]`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return `[${JSON.stringify(segment)}]`;
    return index === 0 ? segment : `.${segment}`;
  }).join('');
}

/** ['agents', 1, 'labels', 'rack'] → "agents[].labels.*", the key of EXPECTED and KNOWN_FIELDS. */
function expectedKey(path: FieldPath): string {
  return path.map((segment, index) => {
    if (typeof segment === 'number') return '[]';
    if (index > 0 && path[index - 1] === 'labels') return '.*';
    return index === 0 ? segment : `.${segment}`;
  }).join('');
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** What was found, for "expected X, got Y". */
function show(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value);
      return `string ${text.length > 60 ? `${text.slice(0, 57)}..."` : text}`;
    }
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}
