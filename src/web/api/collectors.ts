// The collectors through the API, for CI jobs: a vulnerability scan of uploaded inventories, a data-flow map
// from infrastructure files, and disaster-recovery tests. Each call records a dated run as evidence, the same
// as the dspt command.
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import type { Actor } from '../../app/actor.ts';
import { collectDataMap, type InputFile } from '../../app/collect-data-map.ts';
import { listDrTests } from '../../app/list-dr-tests.ts';
import { recordDrTest } from '../../app/record-dr-test.ts';
import { scanVulnerabilities } from '../../app/scan-vulnerabilities.ts';
import {
  startAccessReviewFromUpload,
  UPLOAD_FILE_FIELDS,
  UPLOAD_VALUE_FIELDS,
  type AccessReviewUpload,
} from './access-review-upload.ts';
import type { Problem, Result } from '../../domain/result.ts';

type Part = MultipartFile | MultipartValue<string>;
type Body = Record<string, Part | Part[] | undefined>;

const STATUS: Record<Problem['kind'], number> = {
  'bad-input': 400,
  'not-found': 404,
  forbidden: 403,
  refused: 409,
  conflict: 409,
};

async function filesOf(body: Body | undefined, field: string): Promise<InputFile[]> {
  const parts = body?.[field];
  const list = Array.isArray(parts) ? parts : parts ? [parts] : [];
  const files: InputFile[] = [];
  for (const p of list) if ('file' in p) files.push({ name: p.filename, bytes: await p.toBuffer() });
  return files;
}

function valueOf(body: Body | undefined, field: string): string | undefined {
  const part = body?.[field];
  const single = Array.isArray(part) ? part[0] : part;
  return single && 'value' in single && typeof single.value === 'string' && single.value.trim() !== ''
    ? single.value.trim()
    : undefined;
}

export function registerCollectorApi(
  app: FastifyInstance,
  deps: AccountDeps,
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<Actor | undefined>,
): void {
  const base = '/api/v1/organisations/:ods';
  const send = <T>(reply: FastifyReply, result: Result<T>, map: (v: T) => unknown) =>
    result.ok
      ? reply.send(map(result.value))
      : reply.code(STATUS[result.error.kind]).send({ error: result.error });

  app.post<{ Params: { ods: string }; Body: Body }>(
    `${base}/collectors/vulnerabilities`,
    async (request, reply) => {
      const actor = await authenticate(request, reply);
      if (!actor) return reply;
      const files = await filesOf(request.body, 'sbom');
      const slaDays = valueOf(request.body, 'slaDays');
      const distro = valueOf(request.body, 'distro');
      const system = valueOf(request.body, 'system');
      const at = valueOf(request.body, 'at');
      const result = await scanVulnerabilities(deps, actor, {
        odsCode: request.params.ods,
        files: files.map((f) => ({ name: f.name, size: f.bytes.byteLength, read: async () => f.bytes })),
        ...(slaDays ? { slaDays: Number(slaDays) } : {}),
        ...(distro ? { distro } : {}),
        ...(system ? { system } : {}),
        ...(at ? { effectiveDate: at } : {}),
      });
      return send(reply, result, (v) => ({
        runId: v.run.id,
        effectiveDate: v.run.effectiveDate,
        summary: v.run.summary,
        metrics: v.run.metrics,
        verdicts: v.verdicts,
        linked: v.linked,
      }));
    },
  );

  app.post<{ Params: { ods: string }; Body: Body }>(`${base}/collectors/data-map`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const [terraform, kubernetes, saasbom, declared] = await Promise.all(
      ['terraform', 'k8s', 'saasbom', 'declare'].map((field) => filesOf(request.body, field)),
    );
    const at = valueOf(request.body, 'at');
    const result = await collectDataMap(deps, actor, {
      odsCode: request.params.ods,
      terraform: terraform!,
      kubernetes: kubernetes!,
      saasbom: saasbom!,
      ...(declared![0] ? { declaration: declared![0] } : {}),
      ...(at ? { effectiveDate: at } : {}),
    });
    return send(reply, result, (v) => ({
      runId: v.recorded.run.id,
      summary: v.recorded.run.summary,
      metrics: v.recorded.run.metrics,
      diff: v.diff,
      linked: v.recorded.linked,
    }));
  });

  // Exports in, a review started: the same as "dspt collect access-review", for CI jobs.
  app.post<{ Params: { ods: string }; Body: Body }>(
    `${base}/collectors/access-review`,
    async (request, reply) => {
      const actor = await authenticate(request, reply);
      if (!actor) return reply;
      const upload: AccessReviewUpload = { odsCode: request.params.ods, files: {}, values: {} };
      for (const field of UPLOAD_FILE_FIELDS) upload.files[field] = await filesOf(request.body, field);
      for (const field of UPLOAD_VALUE_FIELDS) {
        const value = valueOf(request.body, field);
        if (value !== undefined) upload.values[field] = value;
      }
      return send(reply, await startAccessReviewFromUpload(deps, actor, upload), (v) => v);
    },
  );

  app.post<{ Params: { ods: string } }>(`${base}/dr-tests`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const result = await recordDrTest(deps, actor, {
      odsCode: request.params.ods,
      test: request.body as never,
    });
    return send(reply, result, (v) => v);
  });

  app.get<{ Params: { ods: string } }>(`${base}/dr-tests`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    return send(reply, await listDrTests(deps, actor, { odsCode: request.params.ods }), (v) => v);
  });
}
