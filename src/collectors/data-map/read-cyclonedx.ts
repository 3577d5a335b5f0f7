// Reads the services of a CycloneDX BOM (a SaaSBOM) into the data-map model: each service with its data
// classifications, nested services inside their parent, flows from the dependency graph, and services that
// cross a trust boundary (`x-trust-boundary`, or CycloneDX 1.5 `trustZone`) placed in a boundary of their own.
import { failure, success, type Result } from '../../domain/result.ts';
import { INTERNET, type DataMapPart, type MapFlow, type MapNode } from './model.ts';
import { redact } from './redact.ts';

const STORE_NAME =
  /(postgres|mysql|mariadb|sql|mongo|redis|dynamo|cosmos|s3|bucket|blob|storage|database|\bdb\b|datastore|elasticsearch|opensearch|cassandra|warehouse|bigquery|snowflake)/i;

export function readCycloneDx(file: string, text: string): Result<DataMapPart> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return failure('bad-input', `not JSON: ${(error as Error).message}`, file);
  }
  if (!isObject(doc) || doc.bomFormat !== 'CycloneDX')
    return failure('bad-input', 'expected a CycloneDX BOM ("bomFormat": "CycloneDX")', file);
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const app = isObject(metadata.component) ? metadata.component : {};
  const home = typeof app.name === 'string' ? app.name : 'Application';

  const nodes: MapNode[] = [];
  const refs = new Set<string>();
  const crossing: string[] = [];
  const walk = (list: unknown, where: string, parentBoundary: string): Result<true> => {
    if (list === undefined) return success(true);
    if (!Array.isArray(list))
      return failure('bad-input', 'expected an array of services', `${file}: ${where}`);
    for (const [n, service] of list.entries()) {
      const at = `${where}[${n}]`;
      if (!isObject(service) || typeof service.name !== 'string')
        return failure('bad-input', 'expected a service with a name', `${file}: ${at}`);
      const ref =
        typeof service['bom-ref'] === 'string'
          ? service['bom-ref']
          : `${service.group ?? ''}/${service.name}`;
      if (refs.has(ref)) return failure('bad-input', `the bom-ref "${ref}" is used twice`, `${file}: ${at}`);
      refs.add(ref);
      const provider =
        isObject(service.provider) && typeof service.provider.name === 'string'
          ? service.provider.name
          : undefined;
      const classes = (Array.isArray(service.data) ? service.data : [])
        .filter(isObject)
        .map((d) => d.classification)
        .filter((c): c is string => typeof c === 'string');
      const crosses = service['x-trust-boundary'] === true || service.trustBoundary === true;
      // A service that crosses a boundary and is run by someone else sits outside ours; one we run marks the
      // edge where outside traffic comes in.
      const boundary =
        typeof service.trustZone === 'string'
          ? service.trustZone
          : crosses && provider === undefined && parentBoundary !== 'top'
            ? `External: ${typeof service.group === 'string' ? service.group : service.name}`
            : parentBoundary === 'top'
              ? home
              : parentBoundary;
      if (crosses && parentBoundary === 'top') crossing.push(ref);
      const label = [service.group, service.name].filter((p) => typeof p === 'string').join(' ');
      nodes.push({
        id: `cdx:${ref}`,
        name: typeof service.version === 'string' ? `${service.name} ${service.version}` : service.name,
        kind:
          STORE_NAME.test(label) || STORE_NAME.test(String(service.description ?? '')) ? 'store' : 'system',
        boundary,
        origin: { file, element: `${at} (${ref})` },
        ...(typeof service.group === 'string' ? { technology: service.group } : {}),
        ...(classes.length > 0 ? { dataClasses: classes } : {}),
        attributes: redact({
          provider: provider ?? null,
          endpoints: Array.isArray(service.endpoints) ? service.endpoints : [],
          authenticated: service.authenticated ?? null,
          crossesTrustBoundary: crosses,
        }) as Record<string, unknown>,
      });
      const nested = walk(service.services, `${at}.services`, boundary);
      if (!nested.ok) return nested;
    }
    return success(true);
  };
  const walked = walk(doc.services, 'services', 'top');
  if (!walked.ok) return walked;

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const flows: MapFlow[] = [];
  const dependencies = Array.isArray(doc.dependencies) ? doc.dependencies : [];
  for (const [d, dep] of dependencies.entries()) {
    if (!isObject(dep) || typeof dep.ref !== 'string') continue;
    const from = byId.get(`cdx:${dep.ref}`);
    if (!from) continue; // the application itself, or a component: not a service
    for (const target of Array.isArray(dep.dependsOn) ? dep.dependsOn : []) {
      const to = byId.get(`cdx:${String(target)}`);
      if (!to)
        return failure(
          'bad-input',
          `depends on "${String(target)}", which is not a service of this BOM`,
          `${file}: dependencies[${d}] (${dep.ref})`,
        );
      const shared = (to.dataClasses ?? []).filter((c) => (from.dataClasses ?? []).includes(c));
      flows.push({
        from: from.id,
        to: to.id,
        via: ['CycloneDX dependency'],
        ...(to.dataClasses ? { dataClasses: shared.length > 0 ? shared : to.dataClasses } : {}),
        origin: { file, element: `dependencies[${d}] (${dep.ref})` },
      });
    }
  }
  for (const ref of crossing) {
    const to = byId.get(`cdx:${ref}`)!;
    flows.push({
      from: INTERNET.id,
      to: to.id,
      via: ['crosses a trust boundary'],
      ...(to.dataClasses ? { dataClasses: to.dataClasses } : {}),
      origin: to.origin,
    });
  }
  return success({ nodes: crossing.length > 0 ? [...nodes, INTERNET] : nodes, flows });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
