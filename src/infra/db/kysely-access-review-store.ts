// The AccessReviewStore over Kysely, on either engine: reviews, tasks and items in, records out.
import type { Kysely, Selectable } from 'kysely';
import type {
  AccessReviewItemRecord,
  AccessReviewRecord,
  AccessReviewStatus,
  AccessReviewStore,
  AccessReviewTaskRecord,
} from '../../app/access-review-ports.ts';
import type {
  AccessReviewItemsTable,
  AccessReviewsTable,
  AccessReviewTables,
} from './access-review-tables.ts';

// Rows per insert: 16 columns x 500 stays under SQLite's and PostgreSQL's bound-parameter limits.
const BATCH = 500;

export function createAccessReviewStore<DB extends AccessReviewTables>(
  database: Kysely<DB>,
): AccessReviewStore {
  // The access-review tables are a slice of the whole schema; queries here see only that slice.
  const db = database as unknown as Kysely<AccessReviewTables>;
  const store: AccessReviewStore = {
    async insert(review, tasks, items) {
      // Review, tasks and items land together or not at all.
      if (!db.isTransaction)
        return db.transaction().execute((trx) => createAccessReviewStore(trx).insert(review, tasks, items));
      await db
        .insertInto('access_reviews')
        .values({
          id: review.id,
          organisation_id: review.organisationId,
          status: review.status,
          effective_date: review.effectiveDate,
          summary: JSON.stringify(review.summary),
          inputs: JSON.stringify(review.inputs),
          created_by: review.createdBy,
          created_at: review.createdAt,
          signed_off_by: review.signedOffBy,
          signed_off_at: review.signedOffAt,
          collector_run_id: review.collectorRunId,
        })
        .execute();
      if (tasks.length > 0)
        await db
          .insertInto('access_review_tasks')
          .values(
            tasks.map((t) => ({
              id: t.id,
              review_id: t.reviewId,
              number: t.number,
              reviewer: t.reviewer,
              reviewer_kind: t.reviewerKind,
            })),
          )
          .execute();
      for (let i = 0; i < items.length; i += BATCH)
        await db
          .insertInto('access_review_items')
          .values(items.slice(i, i + BATCH).map(fromItem))
          .execute();
    },

    async findById(organisationId, id) {
      const row = await db
        .selectFrom('access_reviews')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toReview(row);
    },

    async list(organisationId) {
      const rows = await db
        .selectFrom('access_reviews')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .execute();
      return rows
        .map(toReview)
        .sort(
          (a, b) => compareText(b.effectiveDate, a.effectiveDate) || compareText(b.createdAt, a.createdAt),
        );
    },

    async tasks(reviewId) {
      const rows = await db
        .selectFrom('access_review_tasks')
        .selectAll()
        .where('review_id', '=', reviewId)
        .orderBy('number')
        .execute();
      return rows.map((r): AccessReviewTaskRecord => ({
        id: r.id,
        reviewId: r.review_id,
        number: Number(r.number),
        reviewer: r.reviewer,
        reviewerKind: r.reviewer_kind as AccessReviewTaskRecord['reviewerKind'],
      }));
    },

    async progress(reviewId) {
      const rows = await db
        .selectFrom('access_review_items')
        .select((eb) => [
          'task_id',
          eb.fn.countAll<number | string>().as('items'),
          eb.fn.count<number | string>('decision').as('decided'),
          eb.fn.sum<number | string>('has_findings').as('with_findings'),
        ])
        .where('review_id', '=', reviewId)
        .groupBy('task_id')
        .execute();
      return rows.map((r) => ({
        taskId: r.task_id,
        items: Number(r.items),
        decided: Number(r.decided),
        withFindings: Number(r.with_findings ?? 0),
      }));
    },

    async items(reviewId, filter = {}) {
      let query = db.selectFrom('access_review_items').selectAll().where('review_id', '=', reviewId);
      if (filter.taskId !== undefined) query = query.where('task_id', '=', filter.taskId);
      if (filter.account !== undefined) {
        const key = filter.account.trim();
        query = query.where((eb) =>
          eb.or([eb('account_id', '=', key), eb('login_key', '=', key.toLowerCase())]),
        );
      }
      if (filter.undecidedOnly) query = query.where('decision', 'is', null);
      const rows = await query.execute();
      return rows.map(toItem).sort((a, b) => compareText(a.taskId, b.taskId) || a.position - b.position);
    },

    async page(reviewId, { taskId, show, offset, limit }) {
      let query = db
        .selectFrom('access_review_items')
        .innerJoin('access_review_tasks', 'access_review_tasks.id', 'access_review_items.task_id')
        .where('access_review_items.review_id', '=', reviewId);
      if (taskId !== undefined) query = query.where('access_review_items.task_id', '=', taskId);
      if (show === 'findings') query = query.where('access_review_items.has_findings', '=', 1);
      if (show === 'undecided') query = query.where('access_review_items.decision', 'is', null);
      const [rows, counted] = await Promise.all([
        query
          .selectAll('access_review_items')
          .orderBy('access_review_items.has_findings', 'desc')
          .orderBy('access_review_tasks.number')
          .orderBy('access_review_items.position')
          .limit(limit)
          .offset(offset)
          .execute(),
        query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
      ]);
      return { items: rows.map(toItem), total: Number(counted?.total ?? 0) };
    },

    async item(reviewId, itemId) {
      const row = await db
        .selectFrom('access_review_items')
        .selectAll()
        .where('review_id', '=', reviewId)
        .where('id', '=', itemId)
        .executeTakeFirst();
      return row && toItem(row);
    },

    async decide(reviewId, itemIds, d) {
      for (let i = 0; i < itemIds.length; i += BATCH)
        await db
          .updateTable('access_review_items')
          .set({
            decision: d.decision,
            justification: d.justification,
            decided_by: d.decidedBy,
            decided_at: d.decidedAt,
          })
          .where('review_id', '=', reviewId)
          .where('id', 'in', itemIds.slice(i, i + BATCH))
          .execute();
    },

    async signOff(reviewId, by, at, collectorRunId) {
      await db
        .updateTable('access_reviews')
        .set({ status: 'signed-off', signed_off_by: by, signed_off_at: at, collector_run_id: collectorRunId })
        .where('id', '=', reviewId)
        .execute();
    },
  };
  return store;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toReview(row: Selectable<AccessReviewsTable>): AccessReviewRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    status: row.status as AccessReviewStatus,
    effectiveDate: row.effective_date,
    summary: JSON.parse(row.summary) as AccessReviewRecord['summary'],
    inputs: JSON.parse(row.inputs) as AccessReviewRecord['inputs'],
    createdBy: row.created_by,
    createdAt: row.created_at,
    signedOffBy: row.signed_off_by,
    signedOffAt: row.signed_off_at,
    collectorRunId: row.collector_run_id,
  };
}

interface AccountDetails {
  kind: AccessReviewItemRecord['accountKind'];
  privileged: boolean | null;
  employeeNumber: string | null;
  hrName: string | null;
  jobRole: string | null;
  matchedBy: AccessReviewItemRecord['matchedBy'];
  lastSignIn: string | null;
}

function fromItem(item: AccessReviewItemRecord): Selectable<AccessReviewItemsTable> {
  const account: AccountDetails = {
    kind: item.accountKind,
    privileged: item.privileged,
    employeeNumber: item.employeeNumber,
    hrName: item.hrName,
    jobRole: item.jobRole,
    matchedBy: item.matchedBy,
    lastSignIn: item.lastSignIn,
  };
  return {
    id: item.id,
    review_id: item.reviewId,
    task_id: item.taskId,
    position: item.position,
    account_id: item.accountId,
    login: item.login,
    login_key: item.login.toLowerCase(),
    display_name: item.displayName,
    account: JSON.stringify(account),
    findings: JSON.stringify(item.findings),
    has_findings: item.findings.length > 0 ? 1 : 0,
    recommendation: item.recommendation,
    reason: item.reason,
    decision: item.decision,
    justification: item.justification,
    decided_by: item.decidedBy,
    decided_at: item.decidedAt,
  };
}

function toItem(row: Selectable<AccessReviewItemsTable>): AccessReviewItemRecord {
  const a = JSON.parse(row.account) as AccountDetails;
  return {
    id: row.id,
    reviewId: row.review_id,
    taskId: row.task_id,
    position: Number(row.position),
    accountId: row.account_id,
    login: row.login,
    displayName: row.display_name,
    accountKind: a.kind,
    privileged: a.privileged,
    employeeNumber: a.employeeNumber,
    hrName: a.hrName,
    jobRole: a.jobRole,
    matchedBy: a.matchedBy,
    lastSignIn: a.lastSignIn,
    findings: JSON.parse(row.findings) as AccessReviewItemRecord['findings'],
    recommendation: row.recommendation as AccessReviewItemRecord['recommendation'],
    reason: row.reason,
    decision: row.decision as AccessReviewItemRecord['decision'],
    justification: row.justification,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
  };
}
