// Reads Kubernetes manifests (multi-document YAML) into the data-map model: workloads become systems or
// stores, flows come from `*_ADDR`, `*_HOST` and `*_URL` environment variables and from network policies, and
// LoadBalancer Services and Ingresses bring flows in from the Internet.
import { parseAllDocuments } from 'yaml';
import { failure, success, type Result } from '../../domain/result.ts';
import { INTERNET, mergeParts, type DataMapPart, type MapFlow, type MapNode } from './model.ts';
import { isSecretName, stripCredentials } from './redact.ts';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
const STORE_IMAGE =
  /(^|\/)(redis|valkey|postgres|postgresql|mysql|mariadb|mongo|mongodb|cassandra|elasticsearch|opensearch|couchdb|memcached|minio|etcd|clickhouse|neo4j|influxdb|rabbitmq|kafka|zookeeper|mssql|oracle|cockroach)([:@/-]|$)/i;
const ADDRESS_VAR = /_(ADDR|ADDRESS|HOST|URL|URI|ENDPOINT)$/i;

interface Resource {
  file: string;
  kind: string;
  name: string;
  namespace: string;
  body: Record<string, unknown>;
  element: string;
}

interface Workload {
  id: string;
  resource: Resource;
  labels: Record<string, string>;
  containers: Record<string, unknown>[];
}

/** Parses every file first, so that a flow in one file can reach a Service declared in another. */
export function readKubernetes(files: readonly { file: string; text: string }[]): Result<DataMapPart> {
  const resources: Resource[] = [];
  for (const { file, text } of files) {
    let documents;
    try {
      documents = parseAllDocuments(text, { prettyErrors: true });
    } catch (error) {
      return failure('bad-input', `not YAML: ${(error as Error).message}`, file);
    }
    const list = Array.isArray(documents) ? documents : [documents];
    for (const [d, doc] of list.entries()) {
      const problem = doc.errors[0];
      if (problem) {
        const line = problem.linePos?.[0]?.line;
        return failure(
          'bad-input',
          `not YAML: ${problem.message.split('\n')[0]}`,
          `${file}${line ? `:${line}` : ''} (document ${d + 1})`,
        );
      }
      const body: unknown = doc.toJS();
      if (body === null || body === undefined) continue;
      if (!isObject(body) || typeof body.kind !== 'string')
        return failure(
          'bad-input',
          'expected a Kubernetes object with a kind',
          `${file} (document ${d + 1})`,
        );
      if (body.kind === 'List' && Array.isArray(body.items)) {
        for (const [n, item] of body.items.entries()) {
          const r = toResource(item, file, `${file} (document ${d + 1}) items[${n}]`);
          if (!r.ok) return r;
          resources.push(r.value);
        }
        continue;
      }
      const r = toResource(body, file, `${file} (document ${d + 1})`);
      if (!r.ok) return r;
      resources.push(r.value);
    }
  }
  return success(toPart(resources));
}

function toResource(body: unknown, file: string, element: string): Result<Resource> {
  if (!isObject(body) || typeof body.kind !== 'string')
    return failure('bad-input', 'expected a Kubernetes object with a kind', element);
  const metadata = isObject(body.metadata) ? body.metadata : {};
  if (typeof metadata.name !== 'string' || metadata.name === '')
    return failure('bad-input', `the ${body.kind} has no metadata.name`, element);
  return success({
    file,
    kind: body.kind,
    name: metadata.name,
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : 'default',
    body,
    element: `${element} ${body.kind}/${metadata.name}`,
  });
}

function toPart(resources: Resource[]): DataMapPart {
  const workloads: Workload[] = [];
  for (const r of resources) {
    if (!WORKLOAD_KINDS.has(r.kind)) continue;
    const spec = isObject(r.body.spec) ? r.body.spec : {};
    const jobTemplate =
      isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : spec;
    const template = isObject(jobTemplate.template) ? jobTemplate.template : {};
    const podMeta = isObject(template.metadata) ? template.metadata : {};
    const podSpec = isObject(template.spec) ? template.spec : {};
    workloads.push({
      id: `k8s:${r.namespace}/${r.name}`,
      resource: r,
      labels: stringRecord(podMeta.labels),
      containers: (Array.isArray(podSpec.containers) ? podSpec.containers : []).filter(isObject),
    });
  }

  const nodes: MapNode[] = workloads.map((w) => {
    const images = w.containers.map((c) => String(c.image ?? '')).filter((i) => i !== '');
    const spec = isObject(w.resource.body.spec) ? w.resource.body.spec : {};
    const claims = Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length > 0;
    const store = images.some((i) => STORE_IMAGE.test(i)) || (w.resource.kind === 'StatefulSet' && claims);
    return {
      id: w.id,
      name: w.resource.name,
      kind: store ? 'store' : 'system',
      boundary: `Kubernetes namespace ${w.resource.namespace}`,
      origin: { file: w.resource.file, element: w.resource.element },
      technology: `${w.resource.kind}${images.length > 0 ? ` (${images.join(', ')})` : ''}`,
      attributes: { kind: w.resource.kind, images, persistentVolumeClaims: claims },
    };
  });

  const services = resources.filter((r) => r.kind === 'Service');
  const selects = (selector: Record<string, string>, namespace: string) =>
    workloads.filter(
      (w) =>
        w.resource.namespace === namespace &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => w.labels[k] === v),
    );
  const serviceTargets = (name: string, namespace: string): Workload[] => {
    const service = services.find((s) => s.name === name && s.namespace === namespace);
    if (!service) return [];
    const spec = isObject(service.body.spec) ? service.body.spec : {};
    return selects(stringRecord(spec.selector), namespace);
  };

  const flows: MapFlow[] = [];
  const externals = new Map<string, MapNode>();
  let internet = false;
  const add = (from: string, to: string, via: string, r: Resource) => {
    if (from !== to) flows.push({ from, to, via: [via], origin: { file: r.file, element: r.element } });
  };

  for (const w of workloads) {
    for (const container of w.containers) {
      for (const env of Array.isArray(container.env) ? container.env.filter(isObject) : []) {
        if (typeof env.name !== 'string' || !ADDRESS_VAR.test(env.name) || typeof env.value !== 'string')
          continue;
        const host = hostOf(env.value);
        if (!host) continue;
        const [service, namespace = w.resource.namespace] = host.split('.');
        const targets = serviceTargets(service!, namespace);
        const label = `env ${env.name}`;
        if (targets.length > 0) for (const t of targets) add(w.id, t.id, label, w.resource);
        else {
          // A name the manifests do not define: keep it, so the map shows the dependency and a reviewer sees it.
          const id = `external:${host}`;
          if (!externals.has(id))
            externals.set(id, {
              id,
              name: host,
              kind: 'external',
              boundary: isClusterName(host)
                ? `Kubernetes namespace ${namespace} (not in the manifests read)`
                : 'External services',
              origin: { file: w.resource.file, element: `${w.resource.element} ${label}` },
              attributes: { reference: isSecretName(env.name) ? '[redacted]' : stripCredentials(env.value) },
            });
          add(w.id, id, label, w.resource);
        }
      }
    }
  }

  for (const s of services) {
    const spec = isObject(s.body.spec) ? s.body.spec : {};
    if (spec.type !== 'LoadBalancer' && spec.type !== 'NodePort') continue;
    for (const t of selects(stringRecord(spec.selector), s.namespace)) {
      internet = true;
      add(INTERNET.id, t.id, `${String(spec.type)} service ${s.name}`, s);
    }
  }

  for (const ingress of resources.filter((r) => r.kind === 'Ingress')) {
    for (const backend of ingressBackends(ingress.body))
      for (const t of serviceTargets(backend, ingress.namespace)) {
        internet = true;
        add(INTERNET.id, t.id, `ingress ${ingress.name}`, ingress);
      }
  }

  for (const policy of resources.filter((r) => r.kind === 'NetworkPolicy')) {
    const spec = isObject(policy.body.spec) ? policy.body.spec : {};
    const selected = selectorTargets(spec.podSelector, policy.namespace, workloads, true);
    const label = `network policy ${policy.name}`;
    for (const rule of (Array.isArray(spec.ingress) ? spec.ingress : []).filter(isObject))
      for (const peer of (Array.isArray(rule.from) ? rule.from : []).filter(isObject)) {
        if (isObject(peer.ipBlock)) {
          internet = true;
          for (const to of selected) add(INTERNET.id, to.id, label, policy);
        }
        for (const from of selectorTargets(peer.podSelector, policy.namespace, workloads, false))
          for (const to of selected) add(from.id, to.id, label, policy);
      }
    for (const rule of (Array.isArray(spec.egress) ? spec.egress : []).filter(isObject))
      for (const peer of (Array.isArray(rule.to) ? rule.to : []).filter(isObject))
        for (const to of selectorTargets(peer.podSelector, policy.namespace, workloads, false))
          for (const from of selected) add(from.id, to.id, label, policy);
  }

  return mergeParts([{ nodes: [...nodes, ...externals.values(), ...(internet ? [INTERNET] : [])], flows }]);
}

/** `redis-cart:6379`, `http://api.ns.svc.cluster.local/x`, `postgres://u:p@db:5432/app` -> the host. */
function hostOf(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let host: string;
  try {
    host = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? new URL(trimmed).hostname : trimmed.split(/[:/]/)[0]!;
  } catch {
    return undefined;
  }
  host = host.toLowerCase().replace(/\.svc(\.cluster\.local)?$/, '');
  // A DNS name, not an IP address (those say nothing about which system is reached) and not this pod itself.
  if (!/^[a-z0-9.-]+$/.test(host) || /^[\d.]+$/.test(host) || host === 'localhost') return undefined;
  return host;
}

function isClusterName(host: string): boolean {
  return host.split('.').length <= 2;
}

function ingressBackends(body: Record<string, unknown>): string[] {
  const spec = isObject(body.spec) ? body.spec : {};
  const names: string[] = [];
  const take = (backend: unknown) => {
    if (!isObject(backend)) return;
    if (isObject(backend.service) && typeof backend.service.name === 'string')
      names.push(backend.service.name);
    if (typeof backend.serviceName === 'string') names.push(backend.serviceName);
  };
  take(spec.defaultBackend);
  take(spec.backend);
  for (const rule of (Array.isArray(spec.rules) ? spec.rules : []).filter(isObject)) {
    const http = isObject(rule.http) ? rule.http : {};
    for (const path of (Array.isArray(http.paths) ? http.paths : []).filter(isObject)) take(path.backend);
  }
  return [...new Set(names)];
}

/** An empty selector selects every pod of the namespace for the policy's own target, nothing for a peer. */
function selectorTargets(
  selector: unknown,
  namespace: string,
  workloads: Workload[],
  emptyMeansAll: boolean,
): Workload[] {
  if (!isObject(selector)) return [];
  const labels = stringRecord(selector.matchLabels);
  if (
    Object.keys(labels).length === 0 &&
    !emptyMeansAll &&
    !('matchLabels' in selector) &&
    !('matchExpressions' in selector)
  )
    return workloads.filter((w) => w.resource.namespace === namespace);
  return workloads.filter(
    (w) => w.resource.namespace === namespace && Object.entries(labels).every(([k, v]) => w.labels[k] === v),
  );
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
