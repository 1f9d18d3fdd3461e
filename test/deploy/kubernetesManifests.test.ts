import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldProblems, loadManifests, parseManifests, schemaProblems, type Doc, type Manifest } from '../helpers/kubernetesManifests.js';
import { REPO_ROOT } from '../helpers/repoPaths.js';

/*
 * docs/deploy/kubernetes/ as a cluster would take it (schemas, no unknown field), and the
 * hardening the docs promise: a manifest that loosens it fails here, not in a security review.
 */

const DIR = join(REPO_ROOT, 'docs', 'deploy', 'kubernetes');
const NAMESPACE = 'pathprobe';
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = `ghcr.io/pathprobe/pathprobe:${VERSION}`;
const AGENT_PORT = 7420;
const METRICS_PORT = 9420;

const MANIFESTS = loadManifests(DIR);

// Loose views of the parts of a pod the checks read; the schemas have already checked the types.
interface SecurityContext {
  runAsNonRoot?: boolean; runAsUser?: number; privileged?: boolean; allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean; capabilities?: { add?: string[]; drop?: string[] }; seccompProfile?: { type?: string };
}
interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } } }
interface Probe { tcpSocket?: { port: number | string }; httpGet?: { port: number | string; path?: string } }
interface Container {
  name: string; image?: string; command?: string[]; args?: string[]; env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  securityContext?: SecurityContext; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: Probe; readinessProbe?: Probe; volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface Volume { name: string; secret?: { secretName: string; defaultMode?: number }; configMap?: { name: string }; emptyDir?: object; hostPath?: object }
interface PodSpec {
  serviceAccountName?: string; automountServiceAccountToken?: boolean; hostNetwork?: boolean; hostPID?: boolean; hostIPC?: boolean;
  securityContext?: SecurityContext; containers: Container[]; initContainers?: Container[]; volumes?: Volume[];
}

function podSpecOf(doc: Doc): PodSpec | null {
  const spec = doc.spec as any;
  switch (doc.kind) {
    case 'DaemonSet': case 'Deployment': case 'StatefulSet': case 'ReplicaSet': case 'Job': return spec?.template?.spec ?? null;
    case 'CronJob': return spec?.jobTemplate?.spec?.template?.spec ?? null;
    case 'Pod': return spec ?? null;
    default: return null;
  }
}

const nameOf = (doc: Doc): string => `${String(doc.kind)} ${String((doc.metadata as { name?: string } | undefined)?.name)}`;

/** The container's security settings with the pod's where the container sets none (as the kubelet merges them). */
function effectiveSecurity(pod: PodSpec, container: Container): SecurityContext {
  const podLevel = pod.securityContext ?? {};
  const own = container.securityContext ?? {};
  return {
    ...own,
    runAsNonRoot: own.runAsNonRoot ?? podLevel.runAsNonRoot,
    runAsUser: own.runAsUser ?? podLevel.runAsUser,
    seccompProfile: own.seccompProfile ?? podLevel.seccompProfile,
  };
}

/**
 * Every way `doc` is less hardened than docs/deploy/README.md promises. The agent (the DaemonSet)
 * alone runs on the host's network and adds NET_RAW; nothing else adds any capability.
 */
function hardeningProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const where = nameOf(doc);
  const metadata = doc.metadata as { namespace?: string } | undefined;
  if (doc.kind !== 'Namespace' && metadata?.namespace !== NAMESPACE) problems.push(`${where}: not in namespace ${NAMESPACE}`);
  if (doc.kind === 'ServiceAccount' && doc.automountServiceAccountToken !== false) {
    problems.push(`${where}: automountServiceAccountToken is not false`);
  }
  const pod = podSpecOf(doc);
  if (!pod) return problems;
  const isAgent = doc.kind === 'DaemonSet';
  if (pod.serviceAccountName !== 'pathprobe') problems.push(`${where}: runs as service account ${pod.serviceAccountName ?? 'default'}, not pathprobe`);
  if (pod.automountServiceAccountToken !== false) problems.push(`${where}: mounts a Kubernetes API token`);
  if (isAgent && pod.hostNetwork !== true) problems.push(`${where}: the agent is not on the host network`);
  if (!isAgent && pod.hostNetwork) problems.push(`${where}: hostNetwork, which only the agent needs`);
  if (pod.hostPID || pod.hostIPC) problems.push(`${where}: shares the host's PID or IPC namespace`);
  for (const volume of pod.volumes ?? []) {
    if (volume.hostPath) problems.push(`${where}: volume ${volume.name} is a hostPath`);
  }
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const at = `${where} container ${container.name}`;
    const security = effectiveSecurity(pod, container);
    if (security.runAsNonRoot !== true) problems.push(`${at}: runAsNonRoot is not true`);
    if (!(Number.isInteger(security.runAsUser) && security.runAsUser! > 0)) problems.push(`${at}: runAsUser is not a numeric non-root user`);
    if (security.privileged === true) problems.push(`${at}: privileged`);
    if (security.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (security.readOnlyRootFilesystem !== true) problems.push(`${at}: the root filesystem is writable`);
    if (security.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${at}: seccomp profile is not RuntimeDefault`);
    const drop = security.capabilities?.drop ?? [];
    if (drop.length !== 1 || drop[0] !== 'ALL') problems.push(`${at}: capabilities.drop is ${JSON.stringify(drop)}, not ["ALL"]`);
    const add = [...(security.capabilities?.add ?? [])].sort();
    const allowed = isAgent ? ['NET_RAW'] : [];
    if (JSON.stringify(add) !== JSON.stringify(allowed)) problems.push(`${at}: capabilities.add is ${JSON.stringify(add)}, not ${JSON.stringify(allowed)}`);
    if (container.image !== IMAGE) problems.push(`${at}: image ${container.image}, not ${IMAGE}`);
    const { requests = {}, limits = {} } = container.resources ?? {};
    if (requests.cpu === undefined || requests.memory === undefined || limits.memory === undefined) {
      problems.push(`${at}: needs requests.cpu, requests.memory and limits.memory`);
    }
  }
  return problems;
}

function only(kind: string): Manifest {
  const found = MANIFESTS.filter((m) => m.doc.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in ${DIR}, found ${found.length}`);
  return found[0]!;
}

function containerOf(doc: Doc): { pod: PodSpec; container: Container } {
  const pod = podSpecOf(doc)!;
  return { pod, container: pod.containers[0]! };
}

/** `--flag value` or `--flag=value` in an argument list. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** The volume mounted at the deepest mountPath containing `path`. */
function volumeHolding(pod: PodSpec, container: Container, path: string): Volume | undefined {
  const mount = (container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  return mount && pod.volumes?.find((v) => v.name === mount.name);
}

const portNumber = (container: Container, port: number | string | undefined): number | undefined =>
  typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;

/** A copy of `doc` changed by `change`, for the checks' own failure tests. */
function broken(doc: Doc, change: (copy: any) => void): Doc {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
}

test('the Kubernetes folder holds the namespace, service account, agent DaemonSet, controller CronJob, serve Deployment and its metrics Service', (t) => {
  const kinds = MANIFESTS.map((m) => m.doc.kind).sort();
  t.deepEqual(kinds, ['CronJob', 'DaemonSet', 'Deployment', 'Namespace', 'Service', 'ServiceAccount']);
  t.is(MANIFESTS[0]?.doc.kind, 'Namespace', 'the namespace comes first, so kubectl apply -f creates it before what lives in it');
});

test('every Kubernetes manifest matches its kind\'s schema', (t) => {
  for (const { file, index, doc } of MANIFESTS) {
    t.deepEqual(schemaProblems(doc), [], `${file} document ${index} (${nameOf(doc)})`);
  }
});

test('no Kubernetes manifest has a field its kind does not have', (t) => {
  const problems = fieldProblems(MANIFESTS.map((m) => m.doc));
  MANIFESTS.forEach(({ file, index, doc }, i) => t.deepEqual(problems[i], [], `${file} document ${index} (${nameOf(doc)})`));
});

test('every pod runs as a non-root user on a read-only root filesystem with all capabilities dropped, the agent adding only NET_RAW', (t) => {
  t.true(MANIFESTS.some((m) => podSpecOf(m.doc)), 'no pod to check');
  for (const { file, doc } of MANIFESTS) t.deepEqual(hardeningProblems(doc), [], file);
});

test('secrets are mounted read-only by the pod\'s group only', (t) => {
  for (const { doc } of MANIFESTS) {
    const pod = podSpecOf(doc);
    if (!pod) continue;
    for (const volume of pod.volumes ?? []) {
      if (volume.secret) t.is(volume.secret.defaultMode, 0o440, `${nameOf(doc)} volume ${volume.name}`);
    }
    for (const mount of pod.containers.flatMap((c) => c.volumeMounts ?? [])) {
      const volume = pod.volumes?.find((v) => v.name === mount.name);
      if (volume?.secret || volume?.configMap) t.true(mount.readOnly, `${nameOf(doc)} mount ${mount.mountPath}`);
    }
  }
});

test('the agent listens on the node\'s address, with TLS, client CA and token from Secrets, probed by a TCP connect on its port', (t) => {
  const { doc } = only('DaemonSet');
  const { pod, container } = containerOf(doc);
  // The file capability applies under no_new_privs only to the container's first program.
  t.deepEqual(container.command, ['/usr/local/bin/node-netraw', '/opt/pathprobe/dist/agent/main.js']);
  const args = container.args ?? [];
  t.is(flagValue(args, '--listen'), `$(NODE_IP):${AGENT_PORT}`);
  t.deepEqual(container.env?.find((e) => e.name === 'NODE_IP')?.valueFrom, { fieldRef: { fieldPath: 'status.hostIP' } });
  for (const flag of ['--tls-cert', '--tls-key', '--client-ca', '--token-file']) {
    const path = flagValue(args, flag);
    t.truthy(path, `${flag} is given`);
    t.truthy(volumeHolding(pod, container, path ?? '')?.secret, `${flag} ${path} is in a mounted Secret`);
  }
  for (const probe of [container.livenessProbe, container.readinessProbe]) {
    t.truthy(probe?.tcpSocket, 'a TCP probe needs neither the token nor a client certificate');
    t.is(portNumber(container, probe?.tcpSocket?.port), AGENT_PORT);
  }
  t.truthy(volumeHolding(pod, container, '/tmp/iperf3.X')?.emptyDir, 'iperf3 needs a writable /tmp on a read-only root');
  t.is((container.resources?.limits ?? {}).cpu, undefined, 'a CPU limit would throttle iperf3 and understate throughput');
});

test('the nightly CronJob runs the plan from a ConfigMap with its database URL from a Secret, one run at a time', (t) => {
  const { doc } = only('CronJob');
  const spec = doc.spec as { schedule: string; concurrencyPolicy?: string };
  const { pod, container } = containerOf(doc);
  const args = container.args ?? [];
  t.is(args[0], 'run');
  t.truthy(volumeHolding(pod, container, args[1] ?? '')?.configMap, `the plan ${args[1]} is in a mounted ConfigMap`);
  t.is(spec.concurrencyPolicy, 'Forbid');
  t.is(flagValue(args, '--db'), undefined, 'a database URL on the command line shows its password');
  t.truthy(container.env?.find((e) => e.name === 'PATHPROBE_DB')?.valueFrom?.secretKeyRef);
});

test('serve runs as one replica, replaced rather than rolled, with Prometheus scraping its metrics Service on 9420', (t) => {
  const { doc } = only('Deployment');
  const spec = doc.spec as { replicas?: number; strategy?: { type?: string }; template: { metadata: { labels: Record<string, string> } } };
  const { container } = containerOf(doc);
  t.is(spec.replicas, 1);
  t.is(spec.strategy?.type, 'Recreate');
  t.is(flagValue(container.args ?? [], '--metrics'), `0.0.0.0:${METRICS_PORT}`);
  t.truthy(container.env?.find((e) => e.name === 'PATHPROBE_DB')?.valueFrom?.secretKeyRef);

  const service = only('Service').doc as { metadata: { annotations?: Record<string, string> }; spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string }> } };
  t.like(service.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/path': '/metrics' });
  for (const [key, value] of Object.entries(service.spec.selector)) t.is(spec.template.metadata.labels[key], value, `selector ${key}`);
  t.is(service.spec.ports[0]?.port, METRICS_PORT);
  t.is(portNumber(container, service.spec.ports[0]?.targetPort), METRICS_PORT);
});

test('the checks catch a loosened, mistyped or misspelt manifest', (t) => {
  const agent = only('DaemonSet').doc;
  const serve = only('Deployment').doc;
  const agentContainer = (d: any) => d.spec.template.spec.containers[0];

  const loosened: Array<[string, Doc, RegExp]> = [
    ['an added capability', broken(agent, (d) => agentContainer(d).securityContext.capabilities.add.push('SYS_ADMIN')), /capabilities\.add/],
    ['no capability dropped', broken(agent, (d) => { agentContainer(d).securityContext.capabilities.drop = []; }), /capabilities\.drop/],
    ['a privileged container', broken(agent, (d) => { agentContainer(d).securityContext.privileged = true; }), /privileged/],
    ['a writable root filesystem', broken(agent, (d) => { agentContainer(d).securityContext.readOnlyRootFilesystem = false; }), /writable/],
    ['root', broken(agent, (d) => { agentContainer(d).securityContext.runAsUser = 0; }), /runAsUser/],
    ['privilege escalation', broken(agent, (d) => { delete agentContainer(d).securityContext.allowPrivilegeEscalation; }), /allowPrivilegeEscalation/],
    ['the agent off the host network', broken(agent, (d) => { delete d.spec.template.spec.hostNetwork; }), /host network/],
    ['serve on the host network', broken(serve, (d) => { d.spec.template.spec.hostNetwork = true; }), /hostNetwork/],
    ['NET_RAW outside the agent', broken(serve, (d) => { d.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_RAW']; }), /capabilities\.add/],
    ['a hostPath volume', broken(serve, (d) => d.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/' } })), /hostPath/],
  ];
  for (const [what, doc, expected] of loosened) {
    t.regex(hardeningProblems(doc).join('\n'), expected, what);
  }

  t.notDeepEqual(schemaProblems(broken(agent, (d) => { agentContainer(d).securityContext.runAsUser = '10001'; })), [], 'a string user id');
  t.notDeepEqual(schemaProblems(broken(agent, (d) => { delete d.spec.selector; })), [], 'no selector');
  t.notDeepEqual(schemaProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), [], 'a kind without a schema here');

  const [misspelt, mistyped] = fieldProblems([
    broken(agent, (d) => { agentContainer(d).livenesProbe = agentContainer(d).livenessProbe; delete agentContainer(d).livenessProbe; }),
    broken(serve, (d) => { d.spec.replicas = 'one'; }),
  ]);
  t.regex(misspelt!.join('\n'), /livenesProbe/);
  t.notDeepEqual(mistyped, []);

  t.throws(() => parseManifests('dup.yaml', 'kind: Namespace\nkind: Namespace\n'), { message: /dup\.yaml/ }, 'a duplicate key');
  t.is(parseManifests('mode.yaml', 'mode: 0440\n')[0]?.doc.mode, 0o440, 'YAML 1.1 as Kubernetes reads it: 0440 is octal');
});
