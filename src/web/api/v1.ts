// The JSON API under /api/v1, for CI jobs and scripts: every assessment use case, authenticated by a
// per-organisation bearer token, checked with zod, and described by the OpenAPI document it serves.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountDeps } from '../../app/account-deps.ts';
import type { Actor } from '../../app/actor.ts';
import { draftPlan } from '../../app/draft-plan.ts';
import { accessReviewApiPaths, registerAccessReviewApi } from './access-reviews.ts';
import { registerCollectorApi } from './collectors.ts';
import { findOrganisation } from '../../app/find-organisation.ts';
import { exportAssessment } from '../../app/export-assessment.ts';
import { getStatus } from '../../app/get-status.ts';
import { recordAnswer, type AnswerInput } from '../../app/record-answer.ts';
import { recordOutcome } from '../../app/record-outcome.ts';
import { resolveApiToken } from '../../app/resolve-api-token.ts';
import type { Problem, Result } from '../../domain/result.ts';
import { STATUS_LABEL } from '../../domain/status/compute-status.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

export const answerBody = z.strictObject({
  answer: z
    .union([z.boolean(), z.string()])
    .describe('true or false for yes-no items; the text, date (YYYY-MM-DD) or document location otherwise'),
  comment: z.string().max(10_000).optional(),
  asOf: date
    .optional()
    .describe('When the answer was true, such as the date of the last review; default today'),
  metric: z
    .number()
    .optional()
    .describe('The measured value for items with a threshold, such as the percentage of staff trained'),
});

export const outcomeBody = z.strictObject({
  indicators: z.array(z.string()).describe('The indicators of the outcome that are true'),
  notApplicable: z
    .string()
    .optional()
    .describe('Why the outcome does not apply, where the catalogue allows it'),
  comment: z.string().max(10_000).optional(),
});

export const planBody = z.strictObject({
  owner: z.string().optional(),
  dueDate: date.optional(),
});

const STATUS_CODE: Record<Problem['kind'], number> = {
  'bad-input': 400,
  'not-found': 404,
  forbidden: 403,
  refused: 409,
  conflict: 409,
};

function sendProblem(reply: FastifyReply, problem: Problem) {
  return reply.code(STATUS_CODE[problem.kind]).send({ error: problem });
}

function send<T>(reply: FastifyReply, result: Result<T>, map: (value: T) => unknown = (v) => v) {
  return result.ok ? reply.send(map(result.value)) : sendProblem(reply, result.error);
}

function parse<S extends z.ZodType>(schema: S, body: unknown): Result<z.infer<S>> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    error: { kind: 'bad-input', where: issue.path.join('.') || 'body', message: issue.message },
  };
}

export function registerApiV1(app: FastifyInstance, deps: AccountDeps & { maxEvidenceBytes: number }): void {
  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<Actor | undefined> => {
    const header = request.headers.authorization;
    const actor = await resolveApiToken(
      deps,
      header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined,
    );
    const ods = (request.params as { ods?: string }).ods;
    // The organisation is checked before the body, so another organisation's token learns nothing at all.
    if (actor && ods !== undefined) {
      const found = await findOrganisation(deps.store, actor, ods, 'read');
      if (!found.ok) {
        void sendProblem(reply, found.error);
        return undefined;
      }
    }
    if (!actor) {
      void reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({
          error: {
            kind: 'unauthorised',
            message: 'send a valid API token as "Authorization: Bearer dspt_..."',
          },
        });
      return undefined;
    }
    return actor;
  };
  const base = '/api/v1/organisations/:ods';
  type Params = { ods: string; id: string };

  app.get<{ Params: Params; Querystring: { at?: string } }>(`${base}/status`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    return send(
      reply,
      await getStatus(deps, actor, {
        odsCode: request.params.ods,
        ...(request.query.at ? { at: request.query.at } : {}),
      }),
      ({ status, context }) => ({
        organisation: context.organisation.odsCode,
        year: context.assessment.year,
        label: STATUS_LABEL[status.status],
        ...status,
      }),
    );
  });

  app.put<{ Params: Params }>(`${base}/answers/:id`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const body = parse(answerBody, request.body);
    if (!body.ok) return sendProblem(reply, body.error);
    const item = deps.catalogue.items.get(request.params.id);
    const a = body.value.answer;
    const answer: AnswerInput =
      typeof a === 'boolean'
        ? { type: 'yes-no', value: a }
        : item?.responseType === 'date'
          ? { type: 'date', value: a }
          : { type: 'text', value: a };
    return send(
      reply,
      await recordAnswer(deps, actor, {
        odsCode: request.params.ods,
        itemId: request.params.id,
        answer,
        ...(body.value.comment !== undefined ? { comment: body.value.comment } : {}),
        ...(body.value.asOf !== undefined ? { effectiveDate: body.value.asOf } : {}),
        ...(body.value.metric !== undefined ? { metric: body.value.metric } : {}),
      }),
    );
  });

  app.post<{ Params: Params; Body: Record<string, MultipartFile | { value: string } | undefined> }>(
    `${base}/evidence/:id`,
    async (request, reply) => {
      const actor = await authenticate(request, reply);
      if (!actor) return reply;
      const file = request.body?.file;
      if (!file || !('file' in file))
        return sendProblem(reply, {
          kind: 'bad-input',
          where: 'file',
          message: 'expected a multipart form with the document in a "file" field',
        });
      const field = request.body?.asOf;
      const asOf = field && 'value' in field && typeof field.value === 'string' ? field.value : undefined;
      return send(
        reply,
        await recordAnswer(deps, actor, {
          odsCode: request.params.ods,
          itemId: request.params.id,
          answer: { type: 'file', fileName: file.filename, bytes: await file.toBuffer() },
          ...(asOf ? { effectiveDate: asOf } : {}),
        }),
      );
    },
  );

  app.put<{ Params: Params }>(`${base}/outcomes/:id`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const body = parse(outcomeBody, request.body);
    if (!body.ok) return sendProblem(reply, body.error);
    return send(
      reply,
      await recordOutcome(deps, actor, {
        odsCode: request.params.ods,
        outcomeId: request.params.id,
        ...body.value,
      } as Parameters<typeof recordOutcome>[2]),
    );
  });

  app.post<{ Params: Params }>(`${base}/plan`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const body = parse(planBody, request.body ?? {});
    if (!body.ok) return sendProblem(reply, body.error);
    return send(
      reply,
      await draftPlan(deps, actor, { odsCode: request.params.ods, ...body.value } as Parameters<
        typeof draftPlan
      >[2]),
    );
  });

  app.get<{ Params: Params; Querystring: { format?: string } }>(`${base}/export`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const format = request.query.format ?? 'json';
    const result = await exportAssessment(deps, actor, { odsCode: request.params.ods, format });
    if (!result.ok) return sendProblem(reply, result.error);
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
      .send(result.value.text);
  });

  registerCollectorApi(app, deps, authenticate);
  registerAccessReviewApi(app, deps, authenticate);

  app.get('/api/v1/openapi.json', async (_request, reply) => reply.send(openApiDocument()));
}

/** The OpenAPI 3.1 description of this API, with request schemas generated from the same zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  const json = (schema: z.ZodType) => ({
    content: { 'application/json': { schema: z.toJSONSchema(schema) } },
  });
  const ods = {
    name: 'ods',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'ODS code of the organisation',
  };
  const id = (what: string) => ({
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: what,
  });
  const problem = {
    description: 'A problem: where and what',
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                kind: { type: 'string' },
                where: { type: 'string' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
  const errors = { 400: problem, 401: problem, 403: problem, 404: problem };
  return {
    openapi: '3.1.0',
    info: {
      title: 'openDSPT API',
      version: '1',
      description:
        'The Data Security and Protection Toolkit assessment of one organisation, for CI jobs and scripts. Authenticate with an API token made by an administrator of the organisation.',
    },
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'An API token, dspt_...' } },
    },
    security: [{ token: [] }],
    paths: {
      '/api/v1/organisations/{ods}/status': {
        get: {
          summary: 'The status of the assessment and every reason it is not higher',
          parameters: [ods, { name: 'at', in: 'query', schema: { type: 'string', format: 'date' } }],
          responses: { 200: { description: 'The status' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/answers/{id}': {
        put: {
          summary: 'Answer an evidence item',
          parameters: [ods, id('Evidence item ID, such as 1.1.1')],
          requestBody: { required: true, ...json(answerBody) },
          responses: { 200: { description: 'The recorded answer' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/evidence/{id}': {
        post: {
          summary: 'Attach a document to an evidence item (stored encrypted)',
          parameters: [ods, id('Evidence item ID')],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: {
                    file: { type: 'string', format: 'binary' },
                    asOf: { type: 'string', format: 'date' },
                  },
                  required: ['file'],
                },
              },
            },
          },
          responses: { 200: { description: 'The recorded answer' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/outcomes/{id}': {
        put: {
          summary: 'Record the true indicators of a CAF outcome',
          parameters: [ods, id('CAF outcome ID, such as A1.a')],
          requestBody: { required: true, ...json(outcomeBody) },
          responses: { 200: { description: 'The recorded outcome and its achievement' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/plan': {
        post: {
          summary: 'Draft the improvement plan from the current gaps',
          parameters: [ods],
          requestBody: json(planBody),
          responses: { 200: { description: 'The plan actions' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/collectors/vulnerabilities': {
        post: {
          summary:
            'Scan inventories (CycloneDX, SPDX 2.3, dpkg status, package-lock) against the imported OSV data and record the run as evidence',
          parameters: [ods],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: {
                    sbom: { type: 'array', items: { type: 'string', format: 'binary' } },
                    system: { type: 'string' },
                    distro: { type: 'string' },
                    at: { type: 'string', format: 'date' },
                    slaDays: { type: 'integer' },
                  },
                  required: ['sbom'],
                },
              },
            },
          },
          responses: {
            200: { description: 'The run: summary, metrics, verdicts and the items linked' },
            ...errors,
          },
        },
      },
      '/api/v1/organisations/{ods}/collectors/data-map': {
        post: {
          summary:
            'Build the data-flow map and asset register from Terraform, Kubernetes, a SaaSBOM and a declaration, and record it as evidence',
          parameters: [ods],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: {
                    terraform: { type: 'array', items: { type: 'string', format: 'binary' } },
                    k8s: { type: 'array', items: { type: 'string', format: 'binary' } },
                    saasbom: { type: 'array', items: { type: 'string', format: 'binary' } },
                    declare: { type: 'string', format: 'binary' },
                    at: { type: 'string', format: 'date' },
                  },
                },
              },
            },
          },
          responses: { 200: { description: 'The run, with the changes since the previous map' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/dr-tests': {
        post: {
          summary: 'Record a disaster-recovery test',
          parameters: [ods],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            200: { description: 'The recorded test and whether it met its objectives' },
            ...errors,
          },
        },
        get: {
          summary: 'The disaster-recovery tests and the continuity standing',
          parameters: [ods],
          responses: { 200: { description: 'The tests' }, ...errors },
        },
      },
      '/api/v1/organisations/{ods}/export': {
        get: {
          summary: 'Export the answers (JSON or CSV) in the form dspt import reads',
          parameters: [
            ods,
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv'] } },
          ],
          responses: { 200: { description: 'The exported answers' }, ...errors },
        },
      },
      ...accessReviewApiPaths({ ods, errors }),
    },
  };
}
