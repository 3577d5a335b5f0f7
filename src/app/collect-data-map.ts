// Builds the data-flow map and information asset register from infrastructure files and a declaration, compares
// it with the previous map, and records it as dated evidence for the asset-register and data-mapping items.
import { createHash } from 'node:crypto';
import type { IsoDate } from '../domain/assessment.ts';
import { toIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import {
  buildDataMap,
  diffDataMaps,
  type DataMap,
  type DataMapDiff,
} from '../collectors/data-map/build-data-map.ts';
import type { DataMapPart } from '../collectors/data-map/model.ts';
import { EMPTY_DECLARATION, readDeclaration } from '../collectors/data-map/read-declaration.ts';
import { readCycloneDx } from '../collectors/data-map/read-cyclonedx.ts';
import { readKubernetes } from '../collectors/data-map/read-kubernetes.ts';
import { readTerraform } from '../collectors/data-map/read-terraform.ts';
import { toSvg } from '../collectors/data-map/render.ts';
import {
  DATA_MAP_OUTCOMES,
  dataMapHtml,
  dataMapJson,
  dataMapVerdicts,
} from '../collectors/data-map/report.ts';
import { leaksSecret } from '../collectors/data-map/redact.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { CollectorInput, Deps } from './ports.ts';
import { recordCollectorRun, type RecordedCollectorRun } from './record-collector-run.ts';

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export interface CollectDataMapInput {
  odsCode: string;
  terraform?: InputFile[];
  kubernetes?: InputFile[];
  saasbom?: InputFile[];
  declaration?: InputFile;
  effectiveDate?: IsoDate;
}

export interface CollectedDataMap {
  map: DataMap;
  diff: DataMapDiff;
  recorded: RecordedCollectorRun;
}

export async function collectDataMap(
  deps: Deps,
  actor: Actor,
  input: CollectDataMapInput,
): Promise<Result<CollectedDataMap>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  const effectiveDate = input.effectiveDate ?? toIsoDate(deps.clock.now());
  const all = [...(input.terraform ?? []), ...(input.kubernetes ?? []), ...(input.saasbom ?? [])];
  if (all.length === 0 && !input.declaration)
    return failure('bad-input', 'give at least one of --terraform, --k8s, --saasbom or --declare', 'inputs');

  const text = (file: InputFile) => new TextDecoder().decode(file.bytes);
  const parts: DataMapPart[] = [];
  for (const file of input.terraform ?? []) {
    const read = readTerraform(file.name, text(file));
    if (!read.ok) return read;
    parts.push(read.value);
  }
  if (input.kubernetes && input.kubernetes.length > 0) {
    const read = readKubernetes(input.kubernetes.map((f) => ({ file: f.name, text: text(f) })));
    if (!read.ok) return read;
    parts.push(read.value);
  }
  for (const file of input.saasbom ?? []) {
    const read = readCycloneDx(file.name, text(file));
    if (!read.ok) return read;
    parts.push(read.value);
  }
  let declaration = EMPTY_DECLARATION;
  if (input.declaration) {
    const read = readDeclaration(input.declaration.name, text(input.declaration));
    if (!read.ok) return read;
    declaration = read.value;
  }
  const built = buildDataMap(parts, declaration, input.declaration?.name);
  if (!built.ok) return built;
  const map = built.value;
  // The readers redact as they read; this is the last look before anything is written.
  const leak = leaksSecret(map.nodes.map((n) => n.attributes ?? {}));
  if (leak !== undefined)
    throw new Error(`data map: an attribute that looks secret (${leak}) escaped redaction`);

  const diff = diffDataMaps(await previousMap(deps, org.id), map);
  const meta = { organisation: org.odsCode, effectiveDate };
  const targets = [
    ...[...deps.catalogue.items.values()].filter((i) => i.collectors.includes('data-map')).map((i) => i.id),
    ...DATA_MAP_OUTCOMES.filter((id) => deps.catalogue.outcomes.has(id)),
  ];
  const verdicts = dataMapVerdicts(map, targets);
  const svg = await toSvg(map);
  const inputs: CollectorInput[] = [...all, ...(input.declaration ? [input.declaration] : [])].map((f) => ({
    name: f.name,
    size: f.bytes.length,
    sha256: createHash('sha256').update(f.bytes).digest('hex'),
  }));
  const unclassified = map.register.filter((e) => e.classification === 'unclassified').length;
  const recorded = await recordCollectorRun(deps, actor, {
    odsCode: org.odsCode,
    kind: 'data-map',
    effectiveDate,
    inputs,
    metrics: {
      systems: map.nodes.filter((n) => n.kind === 'system').length,
      stores: map.register.length,
      unclassified,
      flows: map.flows.length,
      personalFlows: map.flows.filter((f) => f.personal).length,
      boundaries: map.boundaries.length,
    },
    verdicts,
    summary: `${map.register.length} data stores (${unclassified} unclassified), ${map.flows.length} flows (${map.flows.filter((f) => f.personal).length} personal)`,
    report: dataMapJson(map, diff, meta),
    reportHtml: dataMapHtml(map, diff, svg, meta),
  });
  if (!recorded.ok) return recorded;
  return success({ map, diff, recorded: recorded.value });
}

/** The register and flows of the newest data map recorded before, read back from its JSON evidence. */
async function previousMap(
  deps: Deps,
  organisationId: string,
): Promise<Pick<DataMap, 'register' | 'flows'> | undefined> {
  const [last] = await deps.store.collectorRuns.list(organisationId, 'data-map');
  if (!last) return undefined;
  const evidence = await deps.store.evidence.findById(organisationId, last.reportEvidenceId);
  if (!evidence?.storageKey) return undefined;
  const json = JSON.parse(
    new TextDecoder().decode(await deps.blobs.get(evidence.storageKey)),
  ) as Partial<DataMap>;
  return { register: json.register ?? [], flows: json.flows ?? [] };
}
