// Access reviews through the API: list an organisation's reviews, read one with its tasks and a page of its
// accounts, record decisions and sign off, with zod bodies and their OpenAPI description. Reviews start at
// POST /collectors/access-review (see collectors.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountDeps } from '../../app/account-deps.ts';
import type { AccessReviewItemRecord } from '../../app/access-review-ports.ts';
import type { Actor } from '../../app/actor.ts';
import { decideReviewItem } from '../../app/decide-review-item.ts';
import { getAccessReviewOverview } from '../../app/get-access-review-overview.ts';
import { listAccessReviews } from '../../app/list-access-reviews.ts';
import { ITEM_FILTERS, listReviewItems, MAX_PER_PAGE } from '../../app/list-review-items.ts';
import { signOffAccessReview } from '../../app/sign-off-access-review.ts';
import { FAIL_ON } from './access-review-upload.ts';
import type { Problem, Result } from '../../domain/result.ts';

export const decisionBody = z
  .strictObject({
    item: z
      .string()
      .min(1)
      .optional()
      .describe('The ID of one account of the review, from the items of GET .../access-reviews/{review}'),
    target: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Instead of item: an account login or ID, or a task number to decide every undecided account of that task recommended the same decision',
      ),
    decision: z.enum(['keep', 'remove', 'change']),
    justification: z
      .string()
      .trim()
      .min(1, 'every decision needs a justification')
      .max(2000)
      .describe('Why, for example the ticket number of the removal'),
  })
  .refine((b) => (b.item === undefined) !== (b.target === undefined), {
    message: 'give either item or target, not both',
    path: ['item'],
  });

export const signOffBody = z.strictObject({
  reviewer: z
    .string()
    .trim()
    .min(1, 'name the person signing off')
    .max(200)
    .describe(
      'The name and role of the person signing off, such as "Dr Asha Patel, information asset owner"',
    ),
});

const itemsQuery = z.strictObject({
  task: z.coerce.number().int().positive().optional().describe('Only this task'),
  show: z.enum(ITEM_FILTERS as ['all', 'findings', 'undecided']).optional(),
  page: z.coerce.number().int().optional(),
  perPage: z.coerce.number().int().optional(),
});

const STATUS_CODE: Record<Problem['kind'], number> = {
  'bad-input': 400,
  'not-found': 404,
  forbidden: 403,
  refused: 409,
  conflict: 409,
};

function parse<S extends z.ZodType>(schema: S, input: unknown): Result<z.infer<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    error: { kind: 'bad-input', where: issue.path.join('.') || 'body', message: issue.message },
  };
}

const item = (i: AccessReviewItemRecord, task: number | undefined) => ({
  id: i.id,
  task,
  accountId: i.accountId,
  login: i.login,
  displayName: i.displayName,
  kind: i.accountKind,
  privileged: i.privileged,
  employeeNumber: i.employeeNumber,
  hrName: i.hrName,
  jobRole: i.jobRole,
  matchedBy: i.matchedBy,
  lastSignIn: i.lastSignIn,
  findings: i.findings,
  recommendation: i.recommendation,
  reason: i.reason,
  decision: i.decision,
  justification: i.justification,
  decidedBy: i.decidedBy,
  decidedAt: i.decidedAt,
});

export function registerAccessReviewApi(
  app: FastifyInstance,
  deps: AccountDeps,
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<Actor | undefined>,
): void {
  const base = '/api/v1/organisations/:ods/access-reviews';
  type Params = { ods: string; review: string };
  const send = <T>(reply: FastifyReply, result: Result<T>, map: (v: T) => unknown) =>
    result.ok
      ? reply.send(map(result.value))
      : reply.code(STATUS_CODE[result.error.kind]).send({ error: result.error });

  app.get<{ Params: Params }>(base, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    return send(reply, await listAccessReviews(deps, actor, { odsCode: request.params.ods }), (reviews) => ({
      reviews: reviews.map(({ review, tasks }) => ({
        ...review,
        tasks: tasks.map(({ number, reviewer, reviewerKind, items, decided, withFindings }) => ({
          number,
          reviewer,
          reviewerKind,
          items,
          decided,
          withFindings,
        })),
      })),
    }));
  });

  app.get<{ Params: Params; Querystring: unknown }>(`${base}/:review`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const query = parse(itemsQuery, request.query ?? {});
    if (!query.ok) return send(reply, query, () => undefined);
    const { ods, review } = request.params;
    const overview = await getAccessReviewOverview(deps, actor, { odsCode: ods, review });
    if (!overview.ok) return send(reply, overview, () => undefined);
    const page = await listReviewItems(deps, actor, {
      odsCode: ods,
      review: overview.value.review.id,
      ...query.value,
    });
    return send(reply, page, (p) => {
      const o = overview.value;
      return {
        review: o.review,
        tasks: o.tasks.map(({ number, reviewer, reviewerKind, items, decided, withFindings }) => ({
          number,
          reviewer,
          reviewerKind,
          items,
          decided,
          withFindings,
        })),
        evidence: o.run && {
          runId: o.run.id,
          effectiveDate: o.run.effectiveDate,
          reportEvidenceId: o.run.reportEvidenceId,
          htmlEvidenceId: o.run.htmlEvidenceId,
          verdicts: o.run.verdicts,
        },
        items: p.items.map((i) => item(i, p.taskNumbers[i.taskId])),
        page: { number: p.page, perPage: p.perPage, total: p.total, pages: p.pages, show: p.show },
      };
    });
  });

  app.post<{ Params: Params }>(`${base}/:review/decisions`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const body = parse(decisionBody, request.body);
    if (!body.ok) return send(reply, body, () => undefined);
    const b = body.value;
    return send(
      reply,
      await decideReviewItem(deps, actor, {
        odsCode: request.params.ods,
        review: request.params.review,
        target: b.target ?? '',
        ...(b.item !== undefined ? { itemId: b.item } : {}),
        decision: b.decision,
        justification: b.justification,
      }),
      (d) => ({
        reviewId: d.reviewId,
        decided: d.decided.map((i) => ({ id: i.id, login: i.login, decision: i.decision })),
      }),
    );
  });

  app.post<{ Params: Params }>(`${base}/:review/sign-off`, async (request, reply) => {
    const actor = await authenticate(request, reply);
    if (!actor) return reply;
    const body = parse(signOffBody, request.body);
    if (!body.ok) return send(reply, body, () => undefined);
    return send(
      reply,
      await signOffAccessReview(deps, actor, {
        odsCode: request.params.ods,
        review: request.params.review,
        reviewer: body.value.reviewer,
      }),
      (s) => ({
        review: s.review,
        runId: s.recorded.run.id,
        linked: s.recorded.linked,
        verdicts: s.verdicts,
      }),
    );
  });
}

/** The OpenAPI paths of the access review, given the shared ODS parameter and error responses. */
export function accessReviewApiPaths(shared: {
  ods: Record<string, unknown>;
  errors: Record<number, unknown>;
}): Record<string, unknown> {
  const { ods, errors } = shared;
  const json = (schema: z.ZodType) => ({
    content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } },
  });
  const review = {
    name: 'review',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The review ID, or a unique start of it (at least four characters)',
  };
  const conflict = {
    409: { description: 'Refused: the review is signed off, or not every account is decided' },
  };
  const file = { type: 'string', format: 'binary' };
  return {
    '/api/v1/organisations/{ods}/collectors/access-review': {
      post: {
        summary:
          'Start an access review from identity-provider, MFA, HR and training exports: findings, coverage and a task per reviewer',
        parameters: [ods],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: {
                  idp: {
                    ...file,
                    description: 'Entra, Okta, Google, SCIM JSON or CSV; generic CSV with mapping',
                  },
                  hr: { ...file, description: 'HR export CSV' },
                  mfa: {
                    type: 'array',
                    items: file,
                    description:
                      'Entra userRegistrationDetails, or Okta factors (one file, or one file per user)',
                  },
                  training: { ...file, description: 'Training completions CSV' },
                  matrix: { ...file, description: 'Role-to-group matrix CSV, for role drift' },
                  mapping: { ...file, description: 'Column mapping (YAML or JSON) for format generic-csv' },
                  format: {
                    type: 'string',
                    description: 'The identity export format, when it cannot be recognised',
                  },
                  at: {
                    type: 'string',
                    format: 'date',
                    description: 'The date the exports describe; default today',
                  },
                  leaverDays: {
                    type: 'integer',
                    description: 'Days after leaving an account may stay enabled',
                  },
                  dormantDays: {
                    type: 'integer',
                    description: 'Days without a sign-in before an account is dormant',
                  },
                  courses: {
                    type: 'string',
                    description: 'Only these training courses count, separated by commas',
                  },
                  assetOwner: {
                    type: 'string',
                    description: 'Who reviews the accounts no line manager answers for',
                  },
                  failOn: {
                    type: 'string',
                    description: `Findings to report in failOn, separated by commas: ${FAIL_ON.join(', ')}`,
                  },
                },
                required: ['idp', 'hr'],
              },
            },
          },
        },
        responses: {
          200: {
            description:
              'The review started: its ID, summary, input fingerprints, verdicts before review, tasks and the failOn findings found',
          },
          ...errors,
        },
      },
    },
    '/api/v1/organisations/{ods}/access-reviews': {
      get: {
        summary: 'The access reviews, newest first, with each reviewer task and its progress',
        parameters: [ods],
        responses: { 200: { description: 'The reviews' }, ...errors },
      },
    },
    '/api/v1/organisations/{ods}/access-reviews/{review}': {
      get: {
        summary:
          'One access review: summary, tasks, the evidence once signed off, and a page of its accounts (findings first)',
        parameters: [
          ods,
          review,
          { name: 'task', in: 'query', schema: { type: 'integer' }, description: 'Only this task' },
          { name: 'show', in: 'query', schema: { type: 'string', enum: [...ITEM_FILTERS] } },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'perPage', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE } },
        ],
        responses: { 200: { description: 'The review and a page of its accounts' }, ...errors },
      },
    },
    '/api/v1/organisations/{ods}/access-reviews/{review}/decisions': {
      post: {
        summary:
          'Keep, remove or change an account (or every undecided account of a task recommended the same)',
        parameters: [ods, review],
        requestBody: { required: true, ...json(decisionBody) },
        responses: { 200: { description: 'The accounts decided' }, ...errors, ...conflict },
      },
    },
    '/api/v1/organisations/{ods}/access-reviews/{review}/sign-off': {
      post: {
        summary:
          'Sign off a review whose accounts are all decided: it becomes dated evidence linked to the items',
        parameters: [ods, review],
        requestBody: { required: true, ...json(signOffBody) },
        responses: {
          200: { description: 'The review, the run recorded and the items linked' },
          ...errors,
          ...conflict,
        },
      },
    },
  };
}
