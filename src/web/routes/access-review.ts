// Access reviews in the browser: an organisation's reviews, a review's findings and reviewer tasks, a task's
// accounts a page at a time (findings first), one account's decision with its justification, and the sign-off
// that turns the review into dated evidence with its report. Reviews are started by the CLI or the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import type { AccessReviewItemRecord, ItemFilter } from '../../app/access-review-ports.ts';
import type { Actor } from '../../app/actor.ts';
import { decideReviewItem } from '../../app/decide-review-item.ts';
import { downloadEvidence } from '../../app/download-evidence.ts';
import { getAccessReviewOverview, type AccessReviewOverview } from '../../app/get-access-review-overview.ts';
import { getReviewItem } from '../../app/get-review-item.ts';
import { getStatus } from '../../app/get-status.ts';
import { listAccessReviews } from '../../app/list-access-reviews.ts';
import { ITEM_FILTERS, listReviewItems } from '../../app/list-review-items.ts';
import { signOffAccessReview } from '../../app/sign-off-access-review.ts';
import { NOT_DETERMINABLE, type Coverage, type FindingKind } from '../../collectors/access-review/analyse.ts';
import { DECISIONS, type Decision, type ReviewSummary } from '../../collectors/access-review/review.ts';
import type { Problem } from '../../domain/result.ts';
import { formatLongDate } from '../format.ts';
import { renderAccessProblem, renderBadRequest } from '../set-up-error-pages.ts';
import { fullySignedIn } from '../set-up-sessions.ts';
import { requireActor } from './organisations.ts';

type Form = Record<string, string | undefined>;
type ReviewParams = { ods: string; review: string };

/** Accounts on a task page; the API allows up to 1,000. */
export const PER_PAGE = 100;
/** Reviewer tasks on a review page: an organisation with thousands of line managers has thousands of tasks. */
const TASKS_PER_PAGE = 100;
const MAX_JUSTIFICATION = 2000;

/** The errors of a decision form: a decision that is one of ours, and a justification that fits. */
function decisionErrors(
  field: string,
  decision: string | undefined,
  justification: string,
  missing: { decision: string; justification: string },
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!decision || !(DECISIONS as readonly string[]).includes(decision)) errors[field] = missing.decision;
  if (justification === '') errors.justification = missing.justification;
  else if (justification.length > MAX_JUSTIFICATION)
    errors.justification = `Enter at most ${MAX_JUSTIFICATION.toLocaleString('en-GB')} characters`;
  return errors;
}

const KIND_LABEL = { member: 'Staff', guest: 'Guest', service: 'Service account' } as const;
export const DECISION_LABEL: Record<Decision, string> = { keep: 'Keep', remove: 'Remove', change: 'Change' };
const DECISION_TAG: Record<Decision, string> = {
  keep: 'nhsuk-tag--green',
  remove: 'nhsuk-tag--red',
  change: 'nhsuk-tag--yellow',
};
const FINDING_LABEL: Record<FindingKind, string> = {
  leaver: 'Leaver still enabled',
  'no-hr-match': 'No HR match',
  dormant: 'Dormant',
  'no-mfa': 'No MFA',
  'role-drift': 'Role drift',
};
const FILTER_LABEL: Record<ItemFilter, string> = {
  all: 'All accounts, those with findings first',
  findings: 'Only accounts with findings',
  undecided: 'Only accounts not yet decided',
};
const VERDICT_TAG = {
  supports: { text: 'Evidenced', classes: 'nhsuk-tag--green' },
  gap: { text: 'Gap', classes: 'nhsuk-tag--red' },
  'not-determinable': { text: 'Not determinable', classes: 'nhsuk-tag--grey' },
} as const;

const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

function coverage(c: Coverage | null, why: string | undefined): string {
  if (c === null) return why ?? NOT_DETERMINABLE;
  if (c.percent === null) return 'no accounts in scope';
  return `${c.percent}% (${c.covered.toLocaleString('en-GB')} of ${c.of.toLocaleString('en-GB')})${c.unknown ? `; no data for ${c.unknown.toLocaleString('en-GB')}` : ''}`;
}

/** What the review found, as summary-list rows: every count, or why the source cannot say. */
export function findingsRows(
  s: ReviewSummary,
  matrixGiven: boolean,
): { key: { text: string }; value: { text: string } }[] {
  const c = s.counts;
  const f = s.found;
  const nd = s.notDeterminable;
  const n = (x: number) => x.toLocaleString('en-GB');
  const rows: [string, string][] = [
    [
      'Accounts read',
      `${n(c.accounts)}, of which ${n(c.enabled)} enabled: ${count(c.members, 'staff account')}, ${count(c.guests, 'guest')}, ${count(c.service, 'service account')}`,
    ],
    [
      'People in the HR export',
      `${n(c.hrRecords)}, of whom ${n(c.activeStaff)} worked here on ${formatLongDate(s.at)}; ${n(c.matchedByEmployeeNumber)} accounts matched by employee number and ${n(c.matchedByEmail)} by e-mail`,
    ],
    [
      'Leavers still enabled',
      `${n(f.leaver)} more than ${count(s.policy.leaverGraceDays, 'day')} after leaving; ${n(c.leaversDisabled)} disabled in time`,
    ],
    ['Staff accounts nobody in HR owns', n(f.unmatchedMembers)],
    ['Guest accounts with no HR match', n(f.unmatchedGuests)],
    ['Service accounts with no HR match', n(f.unmatchedService)],
    [
      'Dormant accounts',
      nd.dormant ?? `${n(f.dormant)} with no successful sign-in for ${count(s.policy.dormantDays, 'day')}`,
    ],
    ['Privileged accounts without MFA', nd['no-mfa'] ?? nd.privileged ?? n(f.noMfaPrivileged)],
    ['All accounts without MFA', nd['no-mfa'] ?? n(f['no-mfa'])],
    [
      'Role drift',
      nd['role-drift'] ??
        (matrixGiven ? n(f['role-drift']) : 'not checked: no role-to-group matrix was given'),
    ],
    ['MFA coverage, all enabled accounts', coverage(s.mfa.all, nd['no-mfa'])],
    ['MFA coverage, privileged accounts', coverage(s.mfa.privileged, nd.privileged ?? nd['no-mfa'])],
    [
      'Training coverage',
      s.training === null
        ? 'not known: no training export was given'
        : `${s.training.percent ?? 0}% of ${n(s.training.of)} active staff trained between ${formatLongDate(s.training.from)} and ${formatLongDate(s.training.to)}: ${s.training.met ? 'meets' : 'below'} the ${s.training.threshold}% threshold`,
    ],
  ];
  return rows.map(([key, value]) => ({ key: { text: key }, value: { text: value } }));
}

function itemView(ods: string, reviewId: string, i: AccessReviewItemRecord) {
  return {
    id: i.id,
    href: `/organisations/${ods}/access-reviews/${reviewId}/items/${i.id}`,
    login: i.login,
    displayName: i.displayName,
    kind: KIND_LABEL[i.accountKind],
    privileged: i.privileged === true,
    findings: i.findings.map((f) => ({ label: FINDING_LABEL[f.kind], detail: f.detail })),
    recommendation: DECISION_LABEL[i.recommendation],
    reason: i.reason,
    decision: i.decision && { text: DECISION_LABEL[i.decision], classes: DECISION_TAG[i.decision] },
    justification: i.justification,
  };
}

function taskTag(t: { items: number; decided: number }) {
  return t.decided === t.items
    ? { text: 'Completed', classes: 'nhsuk-tag--green' }
    : t.decided > 0
      ? { text: 'In progress', classes: 'nhsuk-tag--yellow' }
      : { text: 'Not started', classes: 'nhsuk-tag--grey' };
}

/** `idp:entra-users` -> "Identity export (entra-users)": the role of each file read, in words. */
function inputLabel(role: string): string {
  const [kind, format] = role.split(':');
  const words: Record<string, string> = {
    hr: 'HR export',
    idp: 'Identity export',
    mfa: 'MFA export',
    training: 'Training completions',
    matrix: 'Role-to-group matrix',
  };
  const word = words[kind ?? ''] ?? role;
  return format ? `${word} (${format})` : word;
}

const whole = (text: string | undefined, fallback: number) => (text === undefined ? fallback : Number(text));

/** The numbered pages around the current one, as the design system's pagination wants them. */
function pagination(page: number, pages: number, href: (p: number) => string) {
  if (pages <= 1) return undefined;
  const wanted = new Set([1, pages, page - 1, page, page + 1].filter((p) => p >= 1 && p <= pages));
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  let last = 0;
  for (const p of [...wanted].sort((a, b) => a - b)) {
    if (p > last + 1) items.push({ ellipsis: true });
    items.push({ number: p, href: href(p), current: p === page });
    last = p;
  }
  return {
    items,
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
  };
}

export function registerAccessReviewRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const base = '/organisations/:ods/access-reviews';
  const reviewsHref = (ods: string) => `/organisations/${ods}/access-reviews`;
  const reviewHref = (ods: string, id: string) => `${reviewsHref(ods)}/${id}`;
  const crumbs = (o: AccessReviewOverview, extra: { text: string; href: string }[] = []) => [
    { text: 'Home', href: '/' },
    { text: o.organisation.name, href: `/organisations/${o.organisation.odsCode}` },
    { text: 'Access reviews', href: reviewsHref(o.organisation.odsCode) },
    ...extra,
  ];
  const reviewCrumb = (o: AccessReviewOverview) => ({
    text: `Review of ${formatLongDate(o.review.effectiveDate)}`,
    href: reviewHref(o.organisation.odsCode, o.review.id),
  });
  /** The page for a refusal or a lookup that failed: 404, 403, or 400 naming what was wrong. */
  const problemPage = (reply: FastifyReply, problem: Problem) =>
    renderAccessProblem(reply, problem) ?? renderBadRequest(reply, problem.message);

  app.get<{ Params: { ods: string } }>(base, async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const ods = request.params.ods;
    const [reviews, status] = await Promise.all([
      listAccessReviews(deps, actor, { odsCode: ods }),
      getStatus(deps, actor, { odsCode: ods }),
    ]);
    if (!reviews.ok) return problemPage(reply, reviews.error);
    if (!status.ok) return problemPage(reply, status.error);
    const org = status.value.context.organisation;
    return reply.render('access-review/list.njk', {
      pageTitle: `Access reviews: ${org.name}`,
      org,
      reviews: reviews.value.map(({ review, tasks }) => {
        const items = tasks.reduce((a, t) => a + t.items, 0);
        const decided = tasks.reduce((a, t) => a + t.decided, 0);
        return {
          href: reviewHref(org.odsCode, review.id),
          date: review.effectiveDate,
          status:
            review.status === 'open'
              ? { text: 'Open', classes: 'nhsuk-tag--blue' }
              : { text: 'Signed off', classes: 'nhsuk-tag--green' },
          signedOff: review.signedOffAt?.slice(0, 10),
          signedOffBy: review.signedOffBy,
          accounts: items,
          decided,
          withFindings: tasks.reduce((a, t) => a + t.withFindings, 0),
          leavers: review.summary.found.leaver,
          tasks: tasks.length,
        };
      }),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: org.name, href: `/organisations/${org.odsCode}` },
      ],
    });
  });

  app.get<{ Params: ReviewParams; Querystring: { page?: string; signed?: string } }>(
    `${base}/:review`,
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const found = await getAccessReviewOverview(deps, actor, {
        odsCode: request.params.ods,
        review: request.params.review,
      });
      if (!found.ok) return problemPage(reply, found.error);
      const o = found.value;
      const ods = o.organisation.odsCode;
      const page = whole(request.query.page, 1);
      const pages = Math.max(1, Math.ceil(o.tasks.length / TASKS_PER_PAGE));
      if (!Number.isInteger(page) || page < 1 || page > pages)
        return renderBadRequest(
          reply,
          `There is no page ${request.query.page} of reviewer tasks. Go back and choose another.`,
        );
      const items = o.tasks.reduce((a, t) => a + t.items, 0);
      const decided = o.tasks.reduce((a, t) => a + t.decided, 0);

      let evidence: Record<string, unknown> | undefined;
      if (o.run) {
        // The verdicts that concern this organisation's track, and the items the report was linked to.
        const status = await getStatus(deps, actor, { odsCode: ods });
        if (!status.ok) return problemPage(reply, status.error);
        const track = status.value.status.track;
        const applicable = new Set(
          track === 'caf'
            ? status.value.status.outcomes.map((x) => x.outcomeId)
            : status.value.status.items.map((x) => x.itemId),
        );
        const linked = new Set(
          status.value.context.links
            .filter((l) => l.evidenceId === o.run!.htmlEvidenceId)
            .map((l) => l.itemId),
        );
        evidence = {
          verdicts: o.run.verdicts
            .filter((v) => applicable.has(v.targetId))
            .map((v) => ({
              id: v.targetId,
              href: `/organisations/${ods}/${track === 'caf' ? 'outcomes' : 'items'}/${v.targetId}`,
              title:
                track === 'caf'
                  ? deps.catalogue.outcomes.get(v.targetId)?.title
                  : deps.catalogue.items.get(v.targetId)?.title,
              tag: VERDICT_TAG[v.verdict],
              summary: v.summary,
              linked: linked.has(v.targetId),
            })),
          linked: [...linked].sort(),
          reportHref: `${reviewHref(ods, o.review.id)}/report`,
          dataHref: `/organisations/${ods}/evidence/${o.run.reportEvidenceId}`,
        };
      }

      return reply.render('access-review/review.njk', {
        pageTitle: `Access review of ${formatLongDate(o.review.effectiveDate)}`,
        org: o.organisation,
        review: o.review,
        signedNow: request.query.signed === '1' && o.review.status === 'signed-off',
        canDecide: o.canDecide,
        items,
        decided,
        undecided: items - decided,
        withFindings: o.tasks.reduce((a, t) => a + t.withFindings, 0),
        signOffHref: `${reviewHref(ods, o.review.id)}/sign-off`,
        rows: findingsRows(
          o.review.summary,
          o.review.inputs.some((i) => i.role === 'matrix'),
        ),
        source: o.review.summary.source,
        inputs: o.review.inputs.map((i) => ({ ...i, what: inputLabel(i.role) })),
        tasks: o.tasks.slice((page - 1) * TASKS_PER_PAGE, page * TASKS_PER_PAGE).map((t) => ({
          ...t,
          href: `${reviewHref(ods, o.review.id)}/tasks/${t.number}`,
          tag: taskTag(t),
        })),
        taskCount: o.tasks.length,
        pagination: pagination(page, pages, (p) => `${reviewHref(ods, o.review.id)}?page=${p}`),
        evidence,
        breadcrumbs: crumbs(o),
      });
    },
  );

  const taskPage = async (
    request: FastifyRequest<{ Params: ReviewParams & { task: string }; Querystring: Form }>,
    reply: FastifyReply,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ) => {
    const { ods, review, task } = request.params;
    const show = (request.query.show ?? 'all') as ItemFilter;
    if (!ITEM_FILTERS.includes(show))
      return renderBadRequest(reply, 'That is not a way to filter the accounts. Go back and choose another.');
    const number = Number(task);
    const [found, listed] = await Promise.all([
      getAccessReviewOverview(deps, actor, { odsCode: ods, review }),
      Number.isInteger(number) && number > 0
        ? listReviewItems(deps, actor, {
            odsCode: ods,
            review,
            task: number,
            show,
            page: whole(request.query.page, 1),
            perPage: PER_PAGE,
          })
        : undefined,
    ]);
    if (!found.ok) return problemPage(reply, found.error);
    if (!listed) return reply.code(404).render('errors/404.njk');
    if (!listed.ok)
      return listed.error.where === 'page'
        ? renderBadRequest(
            reply,
            `There is no page ${request.query.page} of accounts. Go back and choose another.`,
          )
        : problemPage(reply, listed.error);
    const o = found.value;
    const l = listed.value;
    if (l.page > l.pages)
      return renderBadRequest(reply, `There is no page ${l.page} of accounts. Go back and choose another.`);
    const t = o.tasks.find((x) => x.number === number)!;
    const taskHref = `${reviewHref(o.organisation.odsCode, o.review.id)}/tasks/${t.number}`;
    const withQuery = (s: ItemFilter, p: number) =>
      `${taskHref}?${new URLSearchParams({ ...(s === 'all' ? {} : { show: s }), ...(p === 1 ? {} : { page: String(p) }) }).toString()}`.replace(
        /\?$/,
        '',
      );
    let saved: string | undefined;
    if (request.query.saved) {
      const item = await getReviewItem(deps, actor, { odsCode: ods, review, item: request.query.saved });
      if (item.ok) saved = item.value.item.login;
    }
    return reply.render('access-review/task.njk', {
      pageTitle: `Review task ${t.number}: ${t.reviewer}`,
      org: o.organisation,
      review: o.review,
      task: { ...t, tag: taskTag(t) },
      open: o.review.status === 'open',
      canDecide: o.canDecide && o.review.status === 'open',
      items: l.items.map((i) => itemView(o.organisation.odsCode, o.review.id, i)),
      total: l.total,
      from: l.total === 0 ? 0 : (l.page - 1) * l.perPage + 1,
      to: (l.page - 1) * l.perPage + l.items.length,
      show,
      filters: ITEM_FILTERS.map((s) => ({
        text: FILTER_LABEL[s],
        href: withQuery(s, 1),
        current: s === show,
      })),
      pagination: pagination(l.page, l.pages, (p) => withQuery(show, p)),
      saved,
      bulkDone: request.query.bulk
        ? { count: Number(request.query.bulk), decision: DECISION_LABEL[request.query.decision as Decision] }
        : undefined,
      csrfToken: request.csrfToken,
      errors: {},
      values: {},
      breadcrumbs: crumbs(o, [reviewCrumb(o)]),
      ...extra,
    });
  };

  app.get<{ Params: ReviewParams & { task: string }; Querystring: Form }>(
    `${base}/:review/tasks/:task`,
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      return taskPage(request, reply, actor);
    },
  );

  // Decides every undecided account of the task that carries one recommendation, with one justification.
  app.post<{ Params: ReviewParams & { task: string }; Querystring: Form; Body: Form }>(
    `${base}/:review/tasks/:task`,
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const { ods, review, task } = request.params;
      const b = request.body ?? {};
      const recommended = b.recommended as Decision | undefined;
      const justification = b.justification?.trim() ?? '';
      const errors = decisionErrors('recommended', recommended, justification, {
        decision: 'Select which recommendation to accept',
        justification: 'Enter why these accounts can be decided together',
      });
      if (Object.keys(errors).length === 0 && /^\d+$/.test(task)) {
        const found = await getAccessReviewOverview(deps, actor, { odsCode: ods, review });
        if (!found.ok) return problemPage(reply, found.error);
        const result = await decideReviewItem(deps, actor, {
          odsCode: ods,
          review: found.value.review.id,
          target: task,
          decision: recommended!,
          justification,
        });
        if (result.ok)
          return reply.redirect(
            `${reviewHref(found.value.organisation.odsCode, found.value.review.id)}/tasks/${task}?bulk=${result.value.decided.length}&decision=${recommended}`,
            303,
          );
        const denied = renderAccessProblem(reply, result.error);
        if (denied) return denied;
        errors.recommended =
          result.error.kind === 'refused'
            ? 'This review has been signed off, so its decisions can no longer change'
            : `No account in this task is waiting for a decision with the recommendation "${DECISION_LABEL[recommended!].toLowerCase()}". Choose another, or decide the accounts one by one`;
      }
      return taskPage(request, reply.code(400), actor, {
        errors,
        errorList: Object.entries(errors).map(([field, text]) => ({
          text,
          href: field === 'recommended' ? '#recommended' : '#justification',
        })),
        values: b,
      });
    },
  );

  const itemPage = async (
    request: FastifyRequest<{ Params: ReviewParams & { item: string }; Querystring: Form }>,
    reply: FastifyReply,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ) => {
    const { ods, review, item } = request.params;
    const [found, detail] = await Promise.all([
      getAccessReviewOverview(deps, actor, { odsCode: ods, review }),
      getReviewItem(deps, actor, { odsCode: ods, review, item }),
    ]);
    if (!found.ok) return problemPage(reply, found.error);
    if (!detail.ok) return problemPage(reply, detail.error);
    const o = found.value;
    const { task, item: i } = detail.value;
    const t = o.tasks.find((x) => x.id === task.id)!;
    let saved: string | undefined;
    if (request.query.saved && request.query.saved !== i.id) {
      const previous = await getReviewItem(deps, actor, { odsCode: ods, review, item: request.query.saved });
      if (previous.ok) saved = previous.value.item.login;
    }
    const signIn = o.review.summary.source.capabilities.signIn;
    const hr = [i.hrName, i.jobRole, i.employeeNumber && `employee number ${i.employeeNumber}`]
      .filter(Boolean)
      .join(', ');
    return reply.render('access-review/item.njk', {
      pageTitle: `${i.displayName}: decide the access`,
      org: o.organisation,
      review: o.review,
      task: t,
      taskHref: `${reviewHref(o.organisation.odsCode, o.review.id)}/tasks/${t.number}`,
      item: itemView(o.organisation.odsCode, o.review.id, i),
      decidedBy: i.decidedBy,
      decidedAt: i.decidedAt?.slice(0, 10),
      rows: [
        ['Login', i.login],
        [
          'Kind of account',
          `${KIND_LABEL[i.accountKind]}${i.privileged === true ? ', privileged' : i.privileged === null ? ', not known whether privileged' : ''}`,
        ],
        [
          'HR record',
          hr
            ? `${hr} (matched by ${i.matchedBy === 'email' ? 'e-mail' : 'employee number'})`
            : 'No match in the HR export',
        ],
        [
          'Last successful sign-in',
          !signIn ? NOT_DETERMINABLE : i.lastSignIn ? formatLongDate(i.lastSignIn.slice(0, 10)) : 'Never',
        ],
      ].map(([key, value]) => ({ key: { text: key }, value: { text: value } })),
      canDecide: o.canDecide && o.review.status === 'open',
      open: o.review.status === 'open',
      remaining: t.items - t.decided,
      saved,
      csrfToken: request.csrfToken,
      errors: {},
      values: { decision: i.decision ?? undefined, justification: i.justification ?? undefined },
      breadcrumbs: crumbs(o, [
        reviewCrumb(o),
        {
          text: `Task ${t.number}`,
          href: `${reviewHref(o.organisation.odsCode, o.review.id)}/tasks/${t.number}`,
        },
      ]),
      ...extra,
    });
  };

  app.get<{ Params: ReviewParams & { item: string }; Querystring: Form }>(
    `${base}/:review/items/:item`,
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      return itemPage(request, reply, actor);
    },
  );

  app.post<{ Params: ReviewParams & { item: string }; Querystring: Form; Body: Form }>(
    `${base}/:review/items/:item`,
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const { ods, review, item } = request.params;
      const b = request.body ?? {};
      const decision = b.decision as Decision | undefined;
      const justification = b.justification?.trim() ?? '';
      const errors = decisionErrors('decision', decision, justification, {
        decision: 'Select whether to keep, remove or change the access',
        justification: 'Enter why, for example the ticket number of the removal or why the access is needed',
      });
      if (Object.keys(errors).length === 0) {
        const found = await getAccessReviewOverview(deps, actor, { odsCode: ods, review });
        if (!found.ok) return problemPage(reply, found.error);
        const reviewId = found.value.review.id;
        const result = await decideReviewItem(deps, actor, {
          odsCode: ods,
          review: reviewId,
          target: '',
          itemId: item,
          decision: decision!,
          justification,
        });
        if (result.ok) {
          // On to the next account of the same task still waiting for a decision, findings first.
          const task = await getReviewItem(deps, actor, { odsCode: ods, review: reviewId, item });
          const number = task.ok ? task.value.task.number : undefined;
          const next =
            number === undefined
              ? undefined
              : await listReviewItems(deps, actor, {
                  odsCode: ods,
                  review: reviewId,
                  task: number,
                  show: 'undecided',
                  perPage: 1,
                });
          const at = reviewHref(found.value.organisation.odsCode, reviewId);
          const nextItem = next?.ok ? next.value.items[0] : undefined;
          return reply.redirect(
            nextItem
              ? `${at}/items/${nextItem.id}?saved=${encodeURIComponent(item)}`
              : `${at}/tasks/${number}?saved=${encodeURIComponent(item)}`,
            303,
          );
        }
        const denied = renderAccessProblem(reply, result.error);
        if (denied) return denied;
        const field = result.error.where === 'justification' ? 'justification' : 'decision';
        errors[field] =
          result.error.kind === 'refused'
            ? 'This review has been signed off, so its decisions can no longer change'
            : result.error.message;
      }
      return itemPage(request, reply.code(400), actor, {
        errors,
        errorList: Object.entries(errors).map(([field, text]) => ({
          text,
          href: field === 'decision' ? '#decision' : '#justification',
        })),
        values: b,
      });
    },
  );

  const signOffPage = async (
    request: FastifyRequest<{ Params: ReviewParams }>,
    reply: FastifyReply,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ) => {
    const found = await getAccessReviewOverview(deps, actor, {
      odsCode: request.params.ods,
      review: request.params.review,
    });
    if (!found.ok) return problemPage(reply, found.error);
    const o = found.value;
    if (!o.canDecide) return reply.code(403).render('errors/403-role.njk');
    if (o.review.status !== 'open')
      return reply.redirect(reviewHref(o.organisation.odsCode, o.review.id), 303);
    const items = o.tasks.reduce((a, t) => a + t.items, 0);
    const decided = o.tasks.reduce((a, t) => a + t.decided, 0);
    return reply.render('access-review/sign-off.njk', {
      pageTitle: 'Sign off the access review',
      org: o.organisation,
      review: o.review,
      reviewHref: reviewHref(o.organisation.odsCode, o.review.id),
      items,
      undecided: items - decided,
      waiting: o.tasks
        .filter((t) => t.decided < t.items)
        .slice(0, 20)
        .map((t) => ({
          text: `Task ${t.number}, ${t.reviewer}: ${count(t.items - t.decided, 'account')} to decide`,
          href: `${reviewHref(o.organisation.odsCode, o.review.id)}/tasks/${t.number}?show=undecided`,
        })),
      signerName: fullySignedIn(request)?.user.name,
      csrfToken: request.csrfToken,
      errors: {},
      values: {},
      breadcrumbs: crumbs(o, [reviewCrumb(o)]),
      ...extra,
    });
  };

  app.get<{ Params: ReviewParams }>(`${base}/:review/sign-off`, async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    return signOffPage(request, reply, actor);
  });

  app.post<{ Params: ReviewParams; Body: Form }>(`${base}/:review/sign-off`, async (request, reply) => {
    const actor = requireActor(request, reply);
    const signedIn = fullySignedIn(request);
    if (!actor || !signedIn) return reply;
    const b = request.body ?? {};
    const role = b.role?.trim() ?? '';
    const errors: Record<string, string> = {};
    if (role === '') errors.role = 'Enter your role, for example Information asset owner';
    else if (role.length > 200) errors.role = 'Enter your role in at most 200 characters';
    if (b.confirm !== 'yes') errors.confirm = 'Confirm that every decision has been checked';
    if (Object.keys(errors).length === 0) {
      const found = await getAccessReviewOverview(deps, actor, {
        odsCode: request.params.ods,
        review: request.params.review,
      });
      if (!found.ok) return problemPage(reply, found.error);
      const result = await signOffAccessReview(deps, actor, {
        odsCode: request.params.ods,
        review: found.value.review.id,
        // Signed in the person's own name, from their account, never from the form.
        reviewer: `${signedIn.user.name}, ${role}`,
      });
      if (result.ok)
        return reply.redirect(
          `${reviewHref(found.value.organisation.odsCode, found.value.review.id)}?signed=1`,
          303,
        );
      const denied = renderAccessProblem(reply, result.error);
      if (denied) return denied;
      errors.confirm = /no decision yet/.test(result.error.message)
        ? 'Some accounts have no decision yet: decide every account before signing off'
        : result.error.message;
    }
    return signOffPage(request, reply.code(400), actor, {
      errors,
      errorList: Object.entries(errors).map(([field, text]) => ({ text, href: `#${field}` })),
      values: b,
    });
  });

  // The report recorded at sign-off, shown as it was recorded. It is our own escaped HTML, but it is still
  // served sandboxed with no script, like every evidence file.
  app.get<{ Params: ReviewParams }>(`${base}/:review/report`, async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const found = await getAccessReviewOverview(deps, actor, {
      odsCode: request.params.ods,
      review: request.params.review,
    });
    if (!found.ok) return problemPage(reply, found.error);
    if (!found.value.run) return reply.code(404).render('errors/404.njk');
    const report = await downloadEvidence(deps, actor, {
      odsCode: found.value.organisation.odsCode,
      evidenceId: found.value.run.htmlEvidenceId,
    });
    if (!report.ok) return problemPage(reply, report.error);
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .type('text/html; charset=utf-8')
      .send(Buffer.from(report.value.bytes));
  });
}
