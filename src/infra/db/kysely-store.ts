// The `Store` of ports.ts over Kysely, identical on SQLite and PostgreSQL: rows in, domain records out, and the
// audit chain appended so that concurrent writers can never fork it.
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AssessmentRecord,
  AuditEventInput,
  Clock,
  CollectorRunRecord,
  EvidenceKind,
  EvidenceRecord,
  MemberRecord,
  OrganisationRecord,
  PlanActionRecord,
  PublicationKind,
  PublicationRecord,
  Role,
  Store,
  StoredOutcomeResponse,
  StoredResponse,
} from '../../app/ports.ts';
import type { Answer } from '../../domain/assessment.ts';
import {
  GENESIS_HASH,
  hashAuditEvent,
  type AuditEvent,
  type AuditEventContent,
} from '../../domain/audit-chain.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { createAccountStore } from './kysely-account-store.ts';
import { createAccessReviewStore } from './kysely-access-review-store.ts';
import { createDrTestStore } from './kysely-dr-test-store.ts';
import { createOsvStore } from './kysely-osv-store.ts';
import type {
  AuditEventsTable,
  CollectorRunsTable,
  Database,
  Engine,
  EvidenceTable,
  OrganisationsTable,
  OutcomeResponsesTable,
  PlanActionsTable,
  PublicationsTable,
  ResponsesTable,
} from './tables.ts';
import { preparedQuery } from './prepared-query.ts';
import { cachedReads } from './sqlite-read-cache.ts';

/** Any fixed number will do, as long as nothing else in the same PostgreSQL database uses it. */
export const AUDIT_LOCK_KEY = 0x0d5b7a0d;

const systemClock: Clock = { now: () => new Date() };

export interface KyselyStoreOptions {
  /** Stamps audit events; tests pass a fixed clock. */
  clock?: Clock;
}

export function createKyselyStore(
  db: Kysely<Database>,
  engine: Engine,
  options: KyselyStoreOptions = {},
): Store {
  return bindStore(db, engine, options.clock ?? systemClock);
}

function bindStore(db: Kysely<Database>, engine: Engine, clock: Clock): Store {
  const findOrganisationByOds = preparedQuery(
    (odsCode: string) => db.selectFrom('organisations').selectAll().where('ods_code', '=', odsCode),
    [''],
  );
  const cached = cachedReads(db);
  const store: Store = {
    transaction(work) {
      // Use cases compose: one that runs inside another's transaction simply joins it.
      if (db.isTransaction) return work(store);
      return db.transaction().execute((trx) => work(bindStore(trx, engine, clock)));
    },

    organisations: {
      async insert(org) {
        await db
          .insertInto('organisations')
          .values({
            id: org.id,
            ods_code: org.odsCode,
            name: org.name,
            type: org.type,
            ico_number: org.icoNumber,
            certifications: canonicalJson(org.certifications),
            created_at: org.createdAt,
          })
          .execute();
      },
      findByOds(odsCode) {
        return cached(`organisation:${odsCode}`, async () => {
          const row = (await db.executeQuery(findOrganisationByOds(odsCode))).rows[0];
          return row && toOrganisation(row);
        });
      },
      async findById(id) {
        const row = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toOrganisation(row);
      },
      async list() {
        const rows = await db.selectFrom('organisations').selectAll().execute();
        return rows
          .map(toOrganisation)
          .sort((a, b) => compareText(a.name, b.name) || compareText(a.odsCode, b.odsCode));
      },
    },

    members: {
      async insert(member) {
        await db
          .insertInto('members')
          .values({
            id: member.id,
            organisation_id: member.organisationId,
            email: member.email,
            name: member.name,
            role: member.role,
            created_at: member.createdAt,
          })
          .execute();
      },
      async listByOrganisation(organisationId) {
        const members = await cached(`members:${organisationId}`, async () => {
          const rows = await db
            .selectFrom('members')
            .selectAll()
            .where('organisation_id', '=', organisationId)
            .execute();
          return rows
            .map((row): MemberRecord => ({
              id: row.id,
              organisationId: row.organisation_id,
              email: row.email,
              name: row.name,
              role: row.role as Role,
              createdAt: row.created_at,
            }))
            .sort((a, b) => compareText(a.email, b.email));
        });
        // The list is shared with other readers; the caller gets its own to sort or add to.
        return [...members];
      },
    },

    assessments: {
      async find(organisationId, year) {
        const row = await db
          .selectFrom('assessments')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .where('year', '=', year)
          .executeTakeFirst();
        return (
          row && {
            id: row.id,
            organisationId: row.organisation_id,
            year: row.year,
            createdAt: row.created_at,
            planApprovedBy: row.plan_approved_by,
            planApprovedAt: row.plan_approved_at,
          }
        );
      },
      async insert(assessment: AssessmentRecord) {
        await db
          .insertInto('assessments')
          .values({
            id: assessment.id,
            organisation_id: assessment.organisationId,
            year: assessment.year,
            created_at: assessment.createdAt,
            plan_approved_by: assessment.planApprovedBy,
            plan_approved_at: assessment.planApprovedAt,
          })
          .execute();
      },
      async setPlanApproval(id, approvedBy, approvedAt) {
        await db
          .updateTable('assessments')
          .set({ plan_approved_by: approvedBy, plan_approved_at: approvedAt })
          .where('id', '=', id)
          .execute();
      },
    },

    responses: {
      async upsert(assessmentId, response) {
        const row = fromResponse(assessmentId, response);
        await db
          .insertInto('responses')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['assessment_id', 'item_id']).doUpdateSet((eb) => ({
              answer_type: eb.ref('excluded.answer_type'),
              answer_value: eb.ref('excluded.answer_value'),
              evidence_id: eb.ref('excluded.evidence_id'),
              comment: eb.ref('excluded.comment'),
              effective_date: eb.ref('excluded.effective_date'),
              metric: eb.ref('excluded.metric'),
              answered_by: eb.ref('excluded.answered_by'),
              answered_at: eb.ref('excluded.answered_at'),
            })),
          )
          .execute();
      },
      async list(assessmentId) {
        const rows = await db
          .selectFrom('responses')
          .selectAll()
          .where('assessment_id', '=', assessmentId)
          .execute();
        return rows.map(toResponse).sort((a, b) => compareText(a.itemId, b.itemId));
      },
      async remove(assessmentId, itemId) {
        await db
          .deleteFrom('responses')
          .where('assessment_id', '=', assessmentId)
          .where('item_id', '=', itemId)
          .execute();
      },
    },

    outcomeResponses: {
      async upsert(assessmentId, response) {
        await db
          .insertInto('outcome_responses')
          .values({
            assessment_id: assessmentId,
            outcome_id: response.outcomeId,
            indicators: JSON.stringify(response.indicators),
            not_applicable: response.notApplicable ?? null,
            comment: response.comment ?? null,
            answered_by: response.answeredBy,
            answered_at: response.answeredAt,
          })
          .onConflict((oc) =>
            oc.columns(['assessment_id', 'outcome_id']).doUpdateSet((eb) => ({
              indicators: eb.ref('excluded.indicators'),
              not_applicable: eb.ref('excluded.not_applicable'),
              comment: eb.ref('excluded.comment'),
              answered_by: eb.ref('excluded.answered_by'),
              answered_at: eb.ref('excluded.answered_at'),
            })),
          )
          .execute();
      },
      async list(assessmentId) {
        const rows = await db
          .selectFrom('outcome_responses')
          .selectAll()
          .where('assessment_id', '=', assessmentId)
          .execute();
        return rows.map(toOutcomeResponse).sort((a, b) => compareText(a.outcomeId, b.outcomeId));
      },
    },

    evidence: {
      async insert(evidence) {
        await db
          .insertInto('evidence')
          .values({
            id: evidence.id,
            organisation_id: evidence.organisationId,
            kind: evidence.kind,
            title: evidence.title,
            file_name: evidence.fileName,
            media_type: evidence.mediaType,
            size: evidence.size,
            sha256: evidence.sha256,
            effective_date: evidence.effectiveDate,
            storage_key: evidence.storageKey,
            created_by: evidence.createdBy,
            created_at: evidence.createdAt,
          })
          .execute();
      },
      async findById(organisationId, id) {
        const row = await db
          .selectFrom('evidence')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .where('id', '=', id)
          .executeTakeFirst();
        return row && toEvidence(row);
      },
      async findBySha256(organisationId, sha256) {
        // The same bytes may have been uploaded twice under different titles; the first upload is the answer.
        const rows = await db
          .selectFrom('evidence')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .where('sha256', '=', sha256)
          .execute();
        const first = rows.sort(
          (a, b) => compareText(a.created_at, b.created_at) || compareText(a.id, b.id),
        )[0];
        return first && toEvidence(first);
      },
      async link(link) {
        // Linking twice is not an error: the link simply exists.
        await db
          .insertInto('evidence_links')
          .values({ evidence_id: link.evidenceId, assessment_id: link.assessmentId, item_id: link.itemId })
          .onConflict((oc) => oc.columns(['evidence_id', 'assessment_id', 'item_id']).doNothing())
          .execute();
      },
      async listLinks(assessmentId) {
        const rows = await db
          .selectFrom('evidence_links')
          .innerJoin('evidence', 'evidence.id', 'evidence_links.evidence_id')
          .select([
            'evidence_links.evidence_id',
            'evidence_links.assessment_id',
            'evidence_links.item_id',
            'evidence.effective_date',
            'evidence.sha256',
          ])
          .where('evidence_links.assessment_id', '=', assessmentId)
          .execute();
        return rows
          .map((row) => ({
            evidenceId: row.evidence_id,
            assessmentId: row.assessment_id,
            itemId: row.item_id,
            effectiveDate: row.effective_date,
            sha256: row.sha256,
          }))
          .sort((a, b) => compareText(a.itemId, b.itemId) || compareText(a.evidenceId, b.evidenceId));
      },
    },

    publications: {
      async insert(publication) {
        await db
          .insertInto('publications')
          .values({
            id: publication.id,
            assessment_id: publication.assessmentId,
            kind: publication.kind,
            status: publication.status,
            snapshot: publication.snapshot,
            sha256: publication.sha256,
            signer_name: publication.signerName,
            signer_role: publication.signerRole,
            declaration: publication.declaration,
            published_at: publication.publishedAt,
          })
          .execute();
      },
      async list(assessmentId) {
        const rows = await db
          .selectFrom('publications')
          .selectAll()
          .where('assessment_id', '=', assessmentId)
          .execute();
        return rows
          .map(toPublication)
          .sort((a, b) => compareText(a.publishedAt, b.publishedAt) || compareText(a.id, b.id));
      },
    },

    accounts: createAccountStore(db),
    accessReviews: createAccessReviewStore(db),
    osv: createOsvStore(db, () => clock.now()),

    drTests: createDrTestStore(db),

    collectorRuns: {
      async insert(run) {
        await db
          .insertInto('collector_runs')
          .values({
            id: run.id,
            organisation_id: run.organisationId,
            kind: run.kind,
            effective_date: run.effectiveDate,
            inputs: JSON.stringify(run.inputs),
            metrics: JSON.stringify(run.metrics),
            verdicts: JSON.stringify(run.verdicts),
            summary: run.summary,
            report_evidence_id: run.reportEvidenceId,
            html_evidence_id: run.htmlEvidenceId,
            created_by: run.createdBy,
            created_at: run.createdAt,
          })
          .execute();
      },
      async findById(organisationId, id) {
        const row = await db
          .selectFrom('collector_runs')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .where('id', '=', id)
          .executeTakeFirst();
        return row && toCollectorRun(row);
      },
      async list(organisationId, kind) {
        const rows = await db
          .selectFrom('collector_runs')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .where('kind', '=', kind)
          .execute();
        return rows
          .map(toCollectorRun)
          .sort(
            (a, b) => compareText(b.effectiveDate, a.effectiveDate) || compareText(b.createdAt, a.createdAt),
          );
      },
    },

    planActions: {
      async replaceAll(assessmentId, actions) {
        // Delete and insert must land together, or a crash between them would lose the plan.
        if (!db.isTransaction)
          return store.transaction((tx) => tx.planActions.replaceAll(assessmentId, actions));
        const rows = actions.map((action, position) => fromPlanAction(assessmentId, action, position));
        await db.deleteFrom('plan_actions').where('assessment_id', '=', assessmentId).execute();
        if (rows.length > 0) await db.insertInto('plan_actions').values(rows).execute();
      },
      async list(assessmentId) {
        const rows = await db
          .selectFrom('plan_actions')
          .selectAll()
          .where('assessment_id', '=', assessmentId)
          .orderBy('position')
          .execute();
        return rows.map(toPlanAction);
      },
    },

    audit: {
      append(input) {
        // The read of the last event and the insert after it must not interleave with another appender's.
        if (!db.isTransaction) return store.transaction((tx) => tx.audit.append(input));
        return appendAuditEvent(db, engine, clock, input);
      },
      all(pageSize = 1000) {
        if (!Number.isInteger(pageSize) || pageSize < 1)
          throw new RangeError(`audit page size must be a positive integer, not ${pageSize}`);
        return readAuditEvents(db, pageSize);
      },
    },

    async close() {
      if (db.isTransaction)
        throw new Error('close() was called on a store bound to a transaction; close the outer store');
      await db.destroy();
    },
  };
  return store;
}

async function appendAuditEvent(
  trx: Kysely<Database>,
  engine: Engine,
  clock: Clock,
  input: AuditEventInput,
): Promise<AuditEvent> {
  // SQLite has one connection and `begin immediate`, so the transaction already excludes every other writer;
  // PostgreSQL needs a lock held until commit, or two transactions would both build on the same last event.
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_LOCK_KEY)})`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const content: AuditEventContent = {
    seq: (last?.seq ?? 0) + 1,
    at: clock.now().toISOString(),
    actor: input.actor,
    action: input.action,
    organisationId: input.organisationId,
    subject: input.subject,
    details: canonicalJson(input.details ?? {}),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const event: AuditEvent = { ...content, prevHash, hash: hashAuditEvent(content, prevHash) };
  await trx
    .insertInto('audit_events')
    .values({
      seq: event.seq,
      at: event.at,
      actor: event.actor,
      action: event.action,
      organisation_id: event.organisationId,
      subject: event.subject,
      details: event.details,
      prev_hash: event.prevHash,
      hash: event.hash,
    })
    .execute();
  return event;
}

async function* readAuditEvents(db: Kysely<Database>, pageSize: number): AsyncGenerator<AuditEvent> {
  // Keyset paging: each page starts after the last seq seen, so the cost per page stays flat however long the chain.
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield toAuditEvent(row);
    const lastRow = rows.at(-1);
    if (lastRow === undefined || rows.length < pageSize) return;
    after = lastRow.seq;
  }
}

/**
 * Code-unit order, the same on both engines: SQL `order by` on text follows the PostgreSQL database's collation,
 * which need not match SQLite's byte order.
 */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toOrganisation(row: Selectable<OrganisationsTable>): OrganisationRecord {
  return {
    id: row.id,
    odsCode: row.ods_code,
    name: row.name,
    type: row.type,
    icoNumber: row.ico_number,
    certifications: JSON.parse(row.certifications) as OrganisationRecord['certifications'],
    createdAt: row.created_at,
    revision: Number(row.revision),
  };
}

function fromResponse(assessmentId: string, response: StoredResponse): Selectable<ResponsesTable> {
  const { answer } = response;
  return {
    assessment_id: assessmentId,
    item_id: response.itemId,
    answer_type: answer.type,
    answer_value: answer.type === 'yes-no' ? String(answer.value) : answer.value,
    evidence_id: answer.type === 'document' ? (answer.evidenceId ?? null) : null,
    comment: response.comment ?? null,
    effective_date: response.effectiveDate,
    metric: response.metric ?? null,
    answered_by: response.answeredBy,
    answered_at: response.answeredAt,
  };
}

function toAnswer(row: Selectable<ResponsesTable>): Answer {
  switch (row.answer_type) {
    case 'yes-no':
      return { type: 'yes-no', value: row.answer_value === 'true' };
    case 'text':
      return { type: 'text', value: row.answer_value };
    case 'date':
      return { type: 'date', value: row.answer_value };
    case 'document':
      return row.evidence_id === null
        ? { type: 'document', value: row.answer_value }
        : { type: 'document', value: row.answer_value, evidenceId: row.evidence_id };
    default:
      throw new Error(
        `response to ${row.item_id} in assessment ${row.assessment_id} has unknown answer type ${row.answer_type}`,
      );
  }
}

function toResponse(row: Selectable<ResponsesTable>): StoredResponse {
  const response: StoredResponse = {
    itemId: row.item_id,
    answer: toAnswer(row),
    effectiveDate: row.effective_date,
    answeredBy: row.answered_by,
    answeredAt: row.answered_at,
  };
  if (row.comment !== null) response.comment = row.comment;
  if (row.metric !== null) response.metric = Number(row.metric);
  return response;
}

function toOutcomeResponse(row: Selectable<OutcomeResponsesTable>): StoredOutcomeResponse {
  const response: StoredOutcomeResponse = {
    outcomeId: row.outcome_id,
    indicators: JSON.parse(row.indicators) as string[],
    answeredBy: row.answered_by,
    answeredAt: row.answered_at,
  };
  if (row.not_applicable !== null) response.notApplicable = row.not_applicable;
  if (row.comment !== null) response.comment = row.comment;
  return response;
}

function toCollectorRun(row: Selectable<CollectorRunsTable>): CollectorRunRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    kind: row.kind,
    effectiveDate: row.effective_date,
    inputs: JSON.parse(row.inputs) as CollectorRunRecord['inputs'],
    metrics: JSON.parse(row.metrics) as CollectorRunRecord['metrics'],
    verdicts: JSON.parse(row.verdicts) as CollectorRunRecord['verdicts'],
    summary: row.summary,
    reportEvidenceId: row.report_evidence_id,
    htmlEvidenceId: row.html_evidence_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toEvidence(row: Selectable<EvidenceTable>): EvidenceRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    kind: row.kind as EvidenceKind,
    title: row.title,
    fileName: row.file_name,
    mediaType: row.media_type,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    effectiveDate: row.effective_date,
    storageKey: row.storage_key,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toPublication(row: Selectable<PublicationsTable>): PublicationRecord {
  return {
    id: row.id,
    assessmentId: row.assessment_id,
    kind: row.kind as PublicationKind,
    status: row.status,
    snapshot: row.snapshot,
    sha256: row.sha256,
    signerName: row.signer_name,
    signerRole: row.signer_role,
    declaration: row.declaration,
    publishedAt: row.published_at,
  };
}

function fromPlanAction(
  assessmentId: string,
  action: PlanActionRecord,
  position: number,
): Selectable<PlanActionsTable> {
  if (action.assessmentId !== assessmentId)
    throw new Error(
      `plan action ${action.id} belongs to assessment ${action.assessmentId}, not ${assessmentId}`,
    );
  return {
    id: action.id,
    assessment_id: assessmentId,
    position,
    target_id: action.targetId,
    gap: action.gap,
    action: action.action,
    owner: action.owner ?? null,
    due_date: action.dueDate ?? null,
    created_at: action.createdAt,
    updated_at: action.updatedAt,
  };
}

function toPlanAction(row: Selectable<PlanActionsTable>): PlanActionRecord {
  const action: PlanActionRecord = {
    id: row.id,
    assessmentId: row.assessment_id,
    targetId: row.target_id,
    gap: row.gap,
    action: row.action,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.owner !== null) action.owner = row.owner;
  if (row.due_date !== null) action.dueDate = row.due_date;
  return action;
}

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    organisationId: row.organisation_id,
    subject: row.subject,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
