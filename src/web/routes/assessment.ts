// The guided assessment: the task list by standard and one page per evidence item, with the control its
// response type needs, our guidance, a comment, and evidence that can be uploaded and downloaded.
import { renderAccessProblem } from '../set-up-error-pages.ts';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import type { Actor } from '../../app/actor.ts';
import { downloadEvidence } from '../../app/download-evidence.ts';
import { getStatus } from '../../app/get-status.ts';
import { recordAnswer, type AnswerInput } from '../../app/record-answer.ts';
import { recordOutcome } from '../../app/record-outcome.ts';
import { addMonths, toIsoDate } from '../../domain/dates.ts';
import type { AssessmentStatus, ItemResult } from '../../domain/status/compute-status.ts';
import { derivedOnce } from '../../app/frozen.ts';
import { freshnessRule, thresholdRule } from '../format.ts';
import { requireActor } from './organisations.ts';

const ITEM_TAG: Record<ItemResult['state'], { text: string; classes: string }> = {
  met: { text: 'Completed', classes: 'nhsuk-tag--green' },
  'not-met': { text: 'Not met', classes: 'nhsuk-tag--red' },
  unanswered: { text: 'Not started', classes: 'nhsuk-tag--grey' },
  exempt: { text: 'Exempt', classes: 'nhsuk-tag--blue' },
};

const LEVELS = {
  'not-achieved': 'Not achieved',
  'partially-achieved': 'Partially achieved',
  achieved: 'Achieved',
} as const;

type Field = MultipartValue<string> | MultipartFile | string | undefined;
/** A form field's text: multipart forms carry { value }, urlencoded ones plain strings. */
const text = (f: Field): string | undefined =>
  typeof f === 'string' ? f : f && 'value' in f && typeof f.value === 'string' ? f.value : undefined;

export function registerAssessmentRoutes(
  app: FastifyInstance,
  deps: AccountDeps & { maxEvidenceBytes: number },
): void {
  const { catalogue } = deps;

  // The task list's rows depend only on the status (and the ODS code in their links): built once for each
  // status kept by the assessment cache, and shared, frozen, so the page cache names them by identity.
  const standardsView = derivedOnce((status: AssessmentStatus, odsCode: string) => {
    const byAssertion = new Map(status.assertions.map((a) => [a.id, a]));
    const itemsOf = new Map<string, typeof status.items>();
    for (const i of status.items) {
      const list = itemsOf.get(i.assertionId);
      if (list) list.push(i);
      else itemsOf.set(i.assertionId, [i]);
    }
    const standards = catalogue.standards
      .map((s) => ({
        id: s.id,
        title: s.title,
        assertions: s.assertions
          .map((a) => {
            const items = itemsOf.get(a.id) ?? [];
            const group = byAssertion.get(a.id);
            const answered = items.some((i) => i.state !== 'unanswered');
            return {
              id: a.id,
              title: a.title,
              tag:
                group?.met && group.mandatoryTotal > 0
                  ? ITEM_TAG.met
                  : answered
                    ? { text: 'In progress', classes: 'nhsuk-tag--yellow' }
                    : ITEM_TAG.unanswered,
              tasks: items.map((i) => ({
                title: { text: `${i.itemId} ${i.title}` },
                href: `/organisations/${odsCode}/items/${i.itemId}`,
                hint: { text: i.mandatory ? 'Mandatory' : 'Optional' },
                status: { tag: ITEM_TAG[i.state] },
              })),
            };
          })
          .filter((a) => a.tasks.length > 0),
      }))
      .filter((s) => s.assertions.length > 0);
    return standards;
  });
  const objectivesView = derivedOnce((status: AssessmentStatus, odsCode: string) => {
    const results = new Map(status.outcomes.map((o) => [o.outcomeId, o]));
    const objectives = catalogue.objectives.map((o) => ({
      id: o.id,
      title: o.title,
      principles: o.principles.map((p) => ({
        id: p.id,
        title: p.title,
        tasks: p.outcomes.map((out) => {
          const r = results.get(out.id)!;
          return {
            title: { text: `${out.id} ${out.title}` },
            href: `/organisations/${odsCode}/outcomes/${out.id}`,
            hint: { text: `Expected: ${LEVELS[r.expected]}` },
            status: {
              tag: !r.answered
                ? ITEM_TAG.unanswered
                : r.meetsProfile
                  ? { text: LEVELS[r.achieved], classes: 'nhsuk-tag--green' }
                  : { text: LEVELS[r.achieved], classes: 'nhsuk-tag--red' },
            },
          };
        }),
      })),
    }));
    return objectives;
  });

  app.get<{ Params: { ods: string }; Querystring: { saved?: string } }>(
    '/organisations/:ods/tasks',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const result = await getStatus(deps, actor, { odsCode: request.params.ods });
      if (!result.ok) return reply.code(404).render('errors/404.njk');
      const { status, context } = result.value;
      const org = context.organisation;
      if (status.track === 'caf') {
        const objectives = objectivesView(status, org.odsCode);
        return reply.render(
          'assessment/caf-tasks.njk',
          {
            pageTitle: `Assessment tasks: ${org.name}`,
            org,
            progress: status.progress,
            objectives,
            saved:
              request.query.saved && catalogue.outcomes.has(request.query.saved)
                ? request.query.saved
                : undefined,
            breadcrumbs: [
              { text: 'Home', href: '/' },
              { text: org.name, href: `/organisations/${org.odsCode}` },
            ],
          },
          { cache: true },
        );
      }
      return reply.render(
        'assessment/tasks.njk',
        {
          pageTitle: `Assessment tasks: ${org.name}`,
          org,
          progress: status.progress,
          standards: standardsView(status, org.odsCode),
          saved:
            request.query.saved && catalogue.items.has(request.query.saved) ? request.query.saved : undefined,
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: org.name, href: `/organisations/${org.odsCode}` },
          ],
        },
        { cache: true },
      );
    },
  );

  const itemPage = async (
    actor: Actor,
    ods: string,
    itemId: string,
    csrfToken: string,
    extra: Record<string, unknown> = {},
  ) => {
    const result = await getStatus(deps, actor, { odsCode: ods });
    if (!result.ok) return undefined;
    const { status, context } = result.value;
    const verdict = status.items.find((i) => i.itemId === itemId);
    const applicable = catalogue.itemsFor(status.category).find((a) => a.item.id === itemId);
    if (!verdict || !applicable) return undefined;
    const response = context.responses.find((r) => r.itemId === itemId);
    const linked = context.links.filter((l) => l.itemId === itemId);
    const evidence = await Promise.all(
      linked.map((l) => deps.store.evidence.findById(context.organisation.id, l.evidenceId)),
    );
    const deadline = catalogue.deadlines.final;
    return {
      pageTitle: `${itemId} ${applicable.item.title}`,
      org: context.organisation,
      item: applicable.item,
      applicable,
      verdict,
      itemTag: ITEM_TAG[verdict.state],
      response,
      freshness: applicable.item.freshness ? freshnessRule(applicable.item.freshness) : undefined,
      threshold: applicable.item.threshold ? thresholdRule(applicable.item.threshold) : undefined,
      // Evidence that will be too old by the deadline, so the user can renew it in time.
      staleByDeadline: verdict.freshUntil !== undefined && verdict.freshUntil < deadline,
      evidence: evidence.flatMap((e) =>
        e
          ? [
              {
                ...e,
                expires: applicable.item.freshness
                  ? addMonths(e.effectiveDate, applicable.item.freshness.withinMonths)
                  : undefined,
              },
            ]
          : [],
      ),
      csrfToken,
      values: {
        answer: response
          ? response.answer.type === 'yes-no'
            ? response.answer.value
              ? 'yes'
              : 'no'
            : response.answer.value
          : undefined,
        comment: response?.comment,
        metric: response?.metric,
      },
      errors: {},
      today: toIsoDate(deps.clock.now()),
      maxMb: Math.round(deps.maxEvidenceBytes / 1048576),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: context.organisation.name, href: `/organisations/${context.organisation.odsCode}` },
        { text: 'Tasks', href: `/organisations/${context.organisation.odsCode}/tasks` },
      ],
      ...extra,
    };
  };

  app.get<{ Params: { ods: string; id: string } }>(
    '/organisations/:ods/items/:id',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const page = await itemPage(actor, request.params.ods, request.params.id, request.csrfToken);
      if (!page) return reply.code(404).render('errors/404.njk');
      return reply.render('assessment/item.njk', page);
    },
  );

  app.post<{ Params: { ods: string; id: string }; Body: Record<string, Field> }>(
    '/organisations/:ods/items/:id',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const { ods, id } = request.params;
      const item = catalogue.items.get(id);
      if (!item) return reply.code(404).render('errors/404.njk');
      const b = request.body ?? {};
      const file = typeof b.file === 'object' && 'file' in b.file ? b.file : undefined;
      const fileBytes = file ? await file.toBuffer() : undefined;
      let answer: AnswerInput | undefined;
      const chosen = text(b.answer)?.trim() ?? '';
      if (item.responseType === 'yes-no')
        answer =
          chosen === 'yes' || chosen === 'no' ? { type: 'yes-no', value: chosen === 'yes' } : undefined;
      else if (item.responseType === 'document' && file && fileBytes && fileBytes.byteLength > 0)
        answer = { type: 'file', fileName: file.filename, bytes: fileBytes };
      else if (item.responseType === 'date') answer = chosen ? { type: 'date', value: chosen } : undefined;
      else answer = chosen ? { type: 'text', value: chosen } : undefined;

      const metricText = text(b.metric)?.trim();
      const asOf = text(b.asOf)?.trim();
      const comment = text(b.comment);
      const problem = (message: string, field: string) => ({
        errors: { [field]: message },
        errorList: [{ text: message, href: `#${field}` }],
      });
      let failed: ReturnType<typeof problem> | undefined;
      if (!answer) {
        const message =
          item.responseType === 'yes-no'
            ? 'Select yes or no'
            : item.responseType === 'document'
              ? 'Choose a file to upload, or say where the document is kept'
              : item.responseType === 'date'
                ? 'Enter a date, for example 2026-03-31'
                : 'Enter your answer';
        failed = problem(message, 'answer');
      } else if (metricText && !Number.isFinite(Number(metricText)))
        failed = problem('Enter the measured value as a number, for example 96', 'metric');
      else {
        const result = await recordAnswer(deps, actor, {
          odsCode: ods,
          itemId: id,
          answer,
          ...(comment?.trim() ? { comment } : {}),
          ...(asOf ? { effectiveDate: asOf } : {}),
          ...(metricText ? { metric: Number(metricText) } : {}),
        });
        if (result.ok)
          return reply.redirect(
            `/organisations/${encodeURIComponent(ods)}/tasks?saved=${encodeURIComponent(id)}`,
            303,
          );
        const denied = renderAccessProblem(reply, result.error);
        if (denied) return denied;
        const field =
          result.error.where === 'effective date'
            ? 'asOf'
            : /value/.test(result.error.message)
              ? 'metric'
              : 'answer';
        failed = problem(result.error.message, field);
      }
      const page = await itemPage(actor, ods, id, request.csrfToken, {
        ...failed,
        values: { answer: chosen, comment, metric: metricText, asOf },
      });
      if (!page) return reply.code(404).render('errors/404.njk');
      return reply.code(400).render('assessment/item.njk', page);
    },
  );

  const outcomePage = async (
    actor: Actor,
    ods: string,
    outcomeId: string,
    csrfToken: string,
    extra: Record<string, unknown> = {},
  ) => {
    const result = await getStatus(deps, actor, { odsCode: ods });
    if (!result.ok || result.value.status.track !== 'caf') return undefined;
    const { status, context } = result.value;
    const outcome = catalogue.outcomes.get(outcomeId);
    const verdict = status.outcomes.find((o) => o.outcomeId === outcomeId);
    if (!outcome || !verdict) return undefined;
    const response = context.outcomeResponses.find((r) => r.outcomeId === outcomeId);
    const ticked = new Set(response?.indicators ?? []);
    const column = (key: 'not-achieved' | 'partially-achieved' | 'achieved') =>
      outcome.indicators[key].map((i) => ({
        value: i.id,
        text: i.text,
        hint: { text: i.id },
        checked: ticked.has(i.id),
      }));
    return {
      pageTitle: `${outcome.id} ${outcome.title}`,
      org: context.organisation,
      outcome,
      verdict,
      achievedLabel: LEVELS[verdict.achieved],
      expectedLabel: LEVELS[verdict.expected],
      columns: {
        notAchieved: column('not-achieved'),
        partial: column('partially-achieved'),
        achieved: column('achieved'),
      },
      response,
      csrfToken,
      errors: {},
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: context.organisation.name, href: `/organisations/${context.organisation.odsCode}` },
        { text: 'Tasks', href: `/organisations/${context.organisation.odsCode}/tasks` },
      ],
      ...extra,
    };
  };

  app.get<{ Params: { ods: string; id: string } }>(
    '/organisations/:ods/outcomes/:id',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const page = await outcomePage(actor, request.params.ods, request.params.id, request.csrfToken);
      if (!page) return reply.code(404).render('errors/404.njk');
      return reply.render('assessment/outcome.njk', page);
    },
  );

  app.post<{ Params: { ods: string; id: string }; Body: Record<string, Field | Field[]> }>(
    '/organisations/:ods/outcomes/:id',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const b = request.body ?? {};
      const values = (f: Field | Field[] | undefined) =>
        (Array.isArray(f) ? f : f ? [f] : []).flatMap((x) => (text(x) ? [text(x)!] : []));
      const notApplicable = text(b.notApplicable as Field)?.trim();
      const comment = text(b.comment as Field)?.trim();
      const result = await recordOutcome(deps, actor, {
        odsCode: request.params.ods,
        outcomeId: request.params.id,
        indicators: values(b.indicators),
        ...(comment ? { comment } : {}),
        ...(notApplicable ? { notApplicable } : {}),
      });
      if (result.ok)
        return reply.redirect(
          `/organisations/${encodeURIComponent(request.params.ods)}/tasks?saved=${encodeURIComponent(request.params.id)}`,
          303,
        );
      const denied = renderAccessProblem(reply, result.error);
      if (denied) return denied;
      const page = await outcomePage(actor, request.params.ods, request.params.id, request.csrfToken, {
        errors: { indicators: result.error.message },
        errorList: [{ text: result.error.message, href: '#indicators' }],
      });
      return page
        ? reply.code(400).render('assessment/outcome.njk', page)
        : reply.code(404).render('errors/404.njk');
    },
  );

  app.get<{ Params: { ods: string; id: string } }>(
    '/organisations/:ods/evidence/:id',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const result = await downloadEvidence(deps, actor, {
        odsCode: request.params.ods,
        evidenceId: request.params.id,
      });
      if (!result.ok) return reply.code(404).render('errors/404.njk');
      const { evidence, bytes } = result.value;
      // Always a download, never rendered in the page's origin: an uploaded HTML file cannot run as our site.
      const name = (evidence.fileName ?? 'evidence').replace(/[^\w.() -]/g, '_');
      return reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .type(evidence.mediaType ?? 'application/octet-stream')
        .send(Buffer.from(bytes));
    },
  );
}
