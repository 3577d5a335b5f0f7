// The `dspt` command. Readable output by default, `--json` for machines. Exit codes: 0 ok, 1 a check failed
// (or a publication was refused), 2 bad input (nothing is written).
import { readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { Actor } from '../app/actor.ts';
import { addMember } from '../app/add-member.ts';
import { createSetupLink } from '../app/create-setup-link.ts';
import { approvePlan } from '../app/approve-plan.ts';
import { draftPlan } from '../app/draft-plan.ts';
import { getStatus } from '../app/get-status.ts';
import { listMembers } from '../app/list-members.ts';
import { listOrganisations } from '../app/list-organisations.ts';
import { publishAssessment } from '../app/publish-assessment.ts';
import { recordAnswer, type AnswerInput } from '../app/record-answer.ts';
import { recordOutcome } from '../app/record-outcome.ts';
import { registerOrganisation } from '../app/register-organisation.ts';
import { verifyAuditChain } from '../app/verify-audit-chain.ts';
import { readConfig, type Config } from '../config.ts';
import type { Container } from '../container.ts';
import type { Certification } from '../domain/assessment.ts';
import type { CategoryId } from '../domain/catalogue/model.ts';
import type { Problem, Result } from '../domain/result.ts';
import { STATUS_LABEL, STATUS_RANK } from '../domain/status/compute-status.ts';
import { modulesFor } from './commands/index.ts';
import * as show from './output.ts';

/** What a command module receives: output, the acting user, error handling and the dependencies. */
export interface CommandContext {
  io: Io;
  actor: Actor;
  /** Prints the problem and ends the command: exit 1 for a refusal, 2 for bad input. */
  fail: (problem: Problem) => never;
  unwrap: <T>(result: Result<T>) => T;
  getConfig: () => Config;
  deps: () => Promise<Container['deps']>;
  json: (value: unknown) => void;
}

export type CommandModule = (program: Command, context: CommandContext) => void;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

export const EXIT = { ok: 0, checkFailed: 1, badInput: 2 } as const;

/** A failure that ends the command with an exit code, after its message is printed. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let container: Container | undefined;
  let config: Config | undefined;
  const actor: Actor = { kind: 'operator', name: `cli:${safeUserName()}` };

  const fail = (problem: Problem): never => {
    io.err(`error: ${problem.where ? `${problem.where}: ` : ''}${problem.message}`);
    throw new Exit(problem.kind === 'refused' ? EXIT.checkFailed : EXIT.badInput);
  };
  const unwrap = <T>(result: Result<T>): T => (result.ok ? result.value : fail(result.error));
  const getConfig = (): Config => (config ??= unwrap(readConfig(io.env)));
  const deps = async () => {
    // Loaded on first use: storage, mail and the password hasher are not needed by every command.
    const { createContainer } = await import('../container.ts');
    container ??= unwrap(await createContainer(getConfig(), { warn: (m) => io.err(`warning: ${m}`) }));
    return container.deps;
  };
  const json = (value: unknown) => io.out(JSON.stringify(value, null, 2));
  const context: CommandContext = { io, actor, fail, unwrap, getConfig, deps, json };

  const program = new Command('dspt')
    .description('openDSPT: the NHS Data Security and Protection Toolkit, run from your own systems')
    .exitOverride()
    .showHelpAfterError('(run "dspt --help" for the commands)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('init')
    .description('create the data folder and database, and show the first step')
    .action(async () => {
      const d = await deps();
      const orgs = await listOrganisations(d, actor);
      io.out(show.initialised(getConfig(), container!.engine, d.catalogue, orgs.length));
    });

  program
    .command('serve')
    .description('start the web application (PORT and HOST are respected)')
    .action(async () => {
      const d = await deps();
      const { buildServer } = await import('../web/server.ts');
      const cfg = getConfig();
      const orgs = await listOrganisations(d, actor);
      const app = await buildServer({
        catalogue: d.catalogue,
        logger: true,
        firstStep: show.firstStep(orgs.length),
        accounts: { deps: d, csrfKey: container!.csrfKey, publicUrl: cfg.publicUrl },
      });
      await app.listen({ port: cfg.port, host: cfg.host });
      const setup = unwrap(await createSetupLink(d));
      io.out(show.serving(cfg, d.catalogue, orgs.length, setup?.token ?? null));
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await app.close();
    });

  const org = program.command('org').description('register and list organisations');
  org
    .command('add')
    .description('register an organisation')
    .requiredOption('--ods <code>', 'ODS code, such as A81001')
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--type <type>', 'organisation type (see "dspt catalogue show")')
    .option('--ico <number>', 'ICO registration number, such as ZA123456')
    .option('--cert <kind:number:expiry>', 'a certification held (repeat for more)', collect, [])
    .option('--json', 'print JSON')
    .action(
      async (o: {
        ods: string;
        name: string;
        type: string;
        ico?: string;
        cert: string[];
        json?: boolean;
      }) => {
        const certifications = o.cert.map((c) => parseCert(c, fail));
        const d = await deps();
        const created = unwrap(
          await registerOrganisation(d, actor, {
            odsCode: o.ods,
            name: o.name,
            type: o.type,
            certifications,
            ...(o.ico ? { icoNumber: o.ico } : {}),
          }),
        );
        if (o.json) json(created);
        else io.out(show.registered(created, d.catalogue));
      },
    );
  org
    .command('list')
    .description('list the organisations registered here')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const d = await deps();
      const orgs = await listOrganisations(d, actor);
      if (o.json) json(orgs);
      else io.out(show.organisations(orgs, d.catalogue));
    });

  const member = program.command('member').description('add and list the members of an organisation');
  member
    .command('add')
    .argument('<ods>', 'ODS code')
    .requiredOption('--email <email>', 'e-mail address')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', 'administrator, contributor, approver, auditor or viewer')
    .action(async (ods: string, o: { email: string; name: string; role: string }) => {
      const added = unwrap(await addMember(await deps(), actor, { odsCode: ods, ...o }));
      io.out(`Added ${added.name} <${added.email}> as ${added.role}.`);
    });
  member
    .command('list')
    .argument('<ods>', 'ODS code')
    .option('--json', 'print JSON')
    .action(async (ods: string, o: { json?: boolean }) => {
      const members = unwrap(await listMembers(await deps(), actor, { odsCode: ods }));
      if (o.json) json(members);
      else
        io.out(
          members.length === 0
            ? 'No members yet.'
            : members.map((m) => `${m.role.padEnd(13)} ${m.name} <${m.email}>`).join('\n'),
        );
    });

  const catalogue = program
    .command('catalogue')
    .description('check and show the catalogue of evidence items and outcomes');
  catalogue
    .command('check')
    .description('check the catalogue files, naming every problem with its file and line')
    .option('--dir <folder>', 'a catalogue folder other than the one shipped')
    .option('--year <year>', 'the year to check (default: the newest)')
    .action(async (o: { dir?: string; year?: string }) => {
      const cfg = getConfig();
      const { readCatalogue } = await import('../container.ts');
      const loaded = await readCatalogue({
        ...(o.dir
          ? { catalogueDir: path.resolve(o.dir) }
          : cfg.catalogueDir
            ? { catalogueDir: cfg.catalogueDir }
            : {}),
        ...(o.year ? { year: o.year } : cfg.year ? { year: cfg.year } : {}),
      });
      if (!loaded.ok) {
        io.err(loaded.error.message);
        throw new Exit(EXIT.badInput);
      }
      io.out(show.catalogueSummary(loaded.value));
    });
  catalogue
    .command('show')
    .description('show the standards and items for a category, or the CAF outcomes for category 1')
    .option('--category <n>', 'category 1, 2, 3 or 4')
    .option('--json', 'print JSON')
    .action(async (o: { category?: string; json?: boolean }) => {
      const { readCatalogue } = await import('../container.ts');
      const loaded = unwrap(await readCatalogue(getConfig()));
      if (o.category !== undefined && !['1', '2', '3', '4'].includes(o.category))
        fail({
          kind: 'bad-input',
          where: '--category',
          message: `expected 1, 2, 3 or 4, found "${o.category}"`,
        });
      const category = o.category as CategoryId | undefined;
      if (o.json) json(show.catalogueJson(loaded, category));
      else io.out(show.catalogueText(loaded, category));
    });

  program
    .command('answer')
    .description('answer an evidence item')
    .argument('<ods>', 'ODS code')
    .argument('<item>', 'evidence item ID, such as 1.1.1')
    .option('--yes', 'answer yes')
    .option('--no', 'answer no')
    .option('--text <text>', 'a text answer, or where a document is kept')
    .option('--date <date>', 'a date answer (YYYY-MM-DD)')
    .option('--file <file>', 'attach a document as evidence')
    .option('--comment <comment>', 'a comment')
    .option(
      '--as-of <date>',
      'the date the answer was true, such as the date of the last review (default: today)',
    )
    .option(
      '--value <number>',
      'the measured value for items with a threshold, such as the percentage of staff trained',
    )
    .option('--json', 'print JSON')
    .action(async (ods: string, item: string, o: AnswerOptions) => {
      const given = (['yes', 'no', 'text', 'date', 'file'] as const).filter(
        (k) => o[k] !== undefined && o[k] !== false,
      );
      if (given.length !== 1)
        fail({
          kind: 'bad-input',
          where: `item ${item}`,
          message: 'expected exactly one of --yes, --no, --text, --date or --file',
        });
      const d = await deps();
      const answer = await answerFrom(o, d.maxEvidenceBytes, fail);
      let metric: number | undefined;
      if (o.value !== undefined) {
        metric = Number(o.value);
        if (!Number.isFinite(metric))
          fail({ kind: 'bad-input', where: '--value', message: `expected a number, found "${o.value}"` });
      }
      const recorded = unwrap(
        await recordAnswer(d, actor, {
          odsCode: ods,
          itemId: item,
          answer,
          ...(o.comment !== undefined ? { comment: o.comment } : {}),
          ...(o.asOf !== undefined ? { effectiveDate: o.asOf } : {}),
          ...(metric !== undefined ? { metric } : {}),
        }),
      );
      if (o.json) json(recorded);
      else io.out(show.answered(recorded, d.catalogue));
    });

  program
    .command('caf')
    .description('record which indicators of a CAF outcome are true')
    .argument('<ods>', 'ODS code')
    .argument('<outcome>', 'CAF outcome ID, such as A1.a')
    .requiredOption(
      '--indicators <ids>',
      'the indicators that are true, separated by commas (may be empty: "")',
    )
    .option('--not-applicable <reason>', 'mark the outcome not applicable, where allowed, with the reason')
    .option('--comment <comment>', 'a comment')
    .option('--json', 'print JSON')
    .action(
      async (
        ods: string,
        outcome: string,
        o: { indicators: string; notApplicable?: string; comment?: string; json?: boolean },
      ) => {
        const recorded = unwrap(
          await recordOutcome(await deps(), actor, {
            odsCode: ods,
            outcomeId: outcome,
            indicators: o.indicators.split(/[,\s]+/),
            ...(o.notApplicable !== undefined ? { notApplicable: o.notApplicable } : {}),
            ...(o.comment !== undefined ? { comment: o.comment } : {}),
          }),
        );
        if (o.json) json(recorded);
        else io.out(show.outcomeRecorded(recorded));
      },
    );

  program
    .command('status')
    .description('the status of an assessment and what is still missing')
    .argument('<ods>', 'ODS code')
    .option('--at <date>', 'the publication date to evaluate on (default: today)')
    .option('--check', 'exit with code 1 unless the status is Standards Met or better')
    .option('--json', 'print JSON')
    .action(async (ods: string, o: { at?: string; check?: boolean; json?: boolean }) => {
      const d = await deps();
      const { status, context } = unwrap(
        await getStatus(d, actor, { odsCode: ods, ...(o.at ? { at: o.at } : {}) }),
      );
      if (o.json)
        json({
          organisation: context.organisation.odsCode,
          year: context.assessment.year,
          label: STATUS_LABEL[status.status],
          ...status,
        });
      else io.out(show.status(status, context, d.catalogue));
      if (o.check && STATUS_RANK[status.status] < STATUS_RANK['standards-met'])
        throw new Exit(EXIT.checkFailed);
    });

  program
    .command('plan')
    .description('draft the improvement plan: one action per unmet mandatory item or outcome below profile')
    .argument('<ods>', 'ODS code')
    .option('--owner <name>', 'owner for actions that have none yet')
    .option('--due <date>', 'due date for actions that have none yet (within six months)')
    .option('--json', 'print JSON')
    .action(async (ods: string, o: { owner?: string; due?: string; json?: boolean }) => {
      const actions = unwrap(
        await draftPlan(await deps(), actor, {
          odsCode: ods,
          ...(o.owner !== undefined ? { owner: o.owner } : {}),
          ...(o.due !== undefined ? { dueDate: o.due } : {}),
        }),
      );
      if (o.json) json(actions);
      else io.out(show.plan(actions, ods));
    });

  program
    .command('approve-plan')
    .description('record that NHS England or the commissioner approved the improvement plan')
    .argument('<ods>', 'ODS code')
    .requiredOption('--by <who>', 'who approved it')
    .action(async (ods: string, o: { by: string }) => {
      const approved = unwrap(await approvePlan(await deps(), actor, { odsCode: ods, approvedBy: o.by }));
      io.out(`Improvement plan of ${ods.toUpperCase()} approved by ${approved.approvedBy}.`);
    });

  program
    .command('export')
    .description('export the answers as JSON or CSV (to standard output, or --output)')
    .argument('<ods>', 'ODS code')
    .addOption(new Option('--format <format>', 'json or csv').default('json'))
    .option('--output <file>', 'write to this file')
    .action(async (ods: string, o: { format: string; output?: string }) => {
      // The exchange format's readers and writers load only for these two commands.
      const { exportAssessment } = await import('../app/export-assessment.ts');
      const exported = unwrap(
        await exportAssessment(await deps(), actor, { odsCode: ods, format: o.format }),
      );
      if (o.output) {
        await writeFile(o.output, exported.text);
        io.err(`Wrote ${exported.rows} answers to ${o.output}.`);
      } else io.out(exported.text);
    });

  program
    .command('import')
    .description('import answers exported by "dspt export" (JSON or CSV); all rows land or none do')
    .argument('<ods>', 'ODS code')
    .argument('<file>', 'the exported file')
    .action(async (ods: string, file: string) => {
      const text = await readText(file, fail);
      const { importAssessment } = await import('../app/import-assessment.ts');
      const imported = unwrap(
        await importAssessment(await deps(), actor, { odsCode: ods, fileName: file, text }),
      );
      io.out(
        `Imported ${imported.items} item answers and ${imported.outcomes} outcome answers into ${ods.toUpperCase()}.`,
      );
    });

  program
    .command('publish')
    .description('publish the assessment: the signer confirms the declaration and a locked snapshot is kept')
    .argument('<ods>', 'ODS code')
    .addOption(
      new Option('--kind <kind>', 'baseline or final').choices(['baseline', 'final']).makeOptionMandatory(),
    )
    .requiredOption('--signer <name>', 'the name of the person signing (SIRO or chief executive)')
    .requiredOption('--role <role>', 'their role')
    .option('--json', 'print JSON')
    .action(
      async (
        ods: string,
        o: { kind: 'baseline' | 'final'; signer: string; role: string; json?: boolean },
      ) => {
        const published = unwrap(
          await publishAssessment(await deps(), actor, {
            odsCode: ods,
            kind: o.kind,
            signerName: o.signer,
            signerRole: o.role,
          }),
        );
        if (o.json) json({ ...published, snapshot: JSON.parse(published.snapshot) as unknown });
        else io.out(show.published(published, ods));
      },
    );

  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check every link of the audit chain')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const verified = unwrap(await verifyAuditChain(await deps(), actor));
      if (o.json) json(verified);
      else if (verified.intact) io.out(`Audit chain intact: ${verified.events} events verified.`);
      else
        io.err(
          `Audit chain broken at event ${verified.break.seq}: ${verified.break.reason}. ${verified.events} events before it verified.`,
        );
      if (!verified.intact) throw new Exit(EXIT.checkFailed);
    });

  for (const module of modulesFor(argv.slice(2))) (await module.load())(program, context);

  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    throw e;
  } finally {
    await container?.close();
  }
}

interface AnswerOptions {
  yes?: boolean;
  no?: boolean;
  text?: string;
  date?: string;
  file?: string;
  comment?: string;
  asOf?: string;
  value?: string;
  json?: boolean;
}

async function answerFrom(
  o: AnswerOptions,
  maxBytes: number,
  fail: (p: Problem) => never,
): Promise<AnswerInput> {
  if (o.yes) return { type: 'yes-no', value: true };
  if (o.no) return { type: 'yes-no', value: false };
  if (o.text !== undefined) return { type: 'text', value: o.text };
  if (o.date !== undefined) return { type: 'date', value: o.date };
  const file = o.file!;
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile())
      return fail({ kind: 'bad-input', where: file, message: 'expected a file, found a folder or device' });
    size = info.size;
  } catch {
    return fail({ kind: 'bad-input', where: file, message: 'cannot read this file: does it exist?' });
  }
  // Refuse an oversized file before reading it into memory.
  if (size > maxBytes)
    return fail({
      kind: 'bad-input',
      where: file,
      message: `the file is ${size} bytes; the limit is ${maxBytes} bytes (DSPT_MAX_EVIDENCE_BYTES)`,
    });
  return { type: 'file', fileName: path.basename(file), bytes: await readFile(file) };
}

async function readText(file: string, fail: (p: Problem) => never): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return fail({ kind: 'bad-input', where: file, message: 'cannot read this file: does it exist?' });
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseCert(text: string, fail: (p: Problem) => never): Certification {
  const parts = text.split(':');
  if (parts.length < 3)
    return fail({
      kind: 'bad-input',
      where: `--cert ${text}`,
      message: 'expected kind:number:expiry, such as cyber-essentials-plus:CEP-12345:2026-09-30',
    });
  const kind = parts[0]!;
  const expires = parts.at(-1)!;
  const number = parts.slice(1, -1).join(':');
  return { kind: kind as Certification['kind'], number, expires };
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
