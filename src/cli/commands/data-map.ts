// `dspt collect data-map` and `dspt dr record|list`: the data-flow map and asset register from infrastructure
// files, and disaster-recovery tests, both kept as dated evidence.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { collectDataMap, type InputFile } from '../../app/collect-data-map.ts';
import { listDrTests } from '../../app/list-dr-tests.ts';
import { recordDrTest } from '../../app/record-dr-test.ts';
import { UNCLASSIFIED } from '../../collectors/data-map/build-data-map.ts';
import {
  DR_TEST_RESULTS,
  DR_TEST_TYPES,
  formatDuration,
  parseDuration,
  type DrAction,
  type DrTestResult,
  type DrTestType,
} from '../../domain/dr-test.ts';
import { toIsoDate } from '../../domain/dates.ts';
import type { Problem } from '../../domain/result.ts';
import type { CommandContext, CommandModule } from '../main.ts';

export const dataMapCommands: CommandModule = (program, context) => {
  const collect =
    program.commands.find((c) => c.name() === 'collect') ??
    program.command('collect').description('run a collector and keep its result as dated evidence');
  registerCollect(collect, context);
  registerDr(program, context);
};

function registerCollect(collect: Command, { io, actor, fail, unwrap, deps, json }: CommandContext): void {
  collect
    .command('data-map')
    .description('build the data-flow map and information asset register from infrastructure files')
    .requiredOption('--org <ods>', 'ODS code of the organisation')
    .option('--terraform <files...>', 'Terraform state files (v3 or v4) or "terraform show -json" output')
    .option('--k8s <files...>', 'Kubernetes manifests (YAML, several documents per file allowed)')
    .option('--saasbom <files...>', 'CycloneDX BOMs with services (a SaaSBOM)')
    .option('--declare <file>', 'the declared YAML: classifications, owners, processors, paper records')
    .option('--at <date>', 'the date the map describes (default: today)')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        org: string;
        terraform?: string[];
        k8s?: string[];
        saasbom?: string[];
        declare?: string;
        at?: string;
        json?: boolean;
      }) => {
        const read = (files: string[] | undefined) =>
          Promise.all((files ?? []).map((f) => readInput(f, fail)));
        const [terraform, kubernetes, saasbom] = await Promise.all([
          read(o.terraform),
          read(o.k8s),
          read(o.saasbom),
        ]);
        const declaration = o.declare === undefined ? undefined : await readInput(o.declare, fail);
        const collected = unwrap(
          await collectDataMap(await deps(), actor, {
            odsCode: o.org,
            terraform,
            kubernetes,
            saasbom,
            ...(declaration ? { declaration } : {}),
            ...(o.at ? { effectiveDate: o.at } : {}),
          }),
        );
        const { map, diff, recorded } = collected;
        if (o.json) {
          json({
            runId: recorded.run.id,
            linked: recorded.linked,
            verdicts: recorded.run.verdicts,
            register: map.register,
            flows: map.flows,
            boundaries: map.boundaries,
            changes: diff,
          });
          return;
        }
        const unclassified = map.register.filter((e) => e.status === UNCLASSIFIED);
        const lines = [
          `Data-flow map of ${o.org.toUpperCase()} on ${recorded.run.effectiveDate}: ${map.nodes.filter((n) => n.kind === 'system').length} systems, ${map.register.length} data stores, processors and paper records, ${map.flows.length} flows (${map.flows.filter((f) => f.personal).length} carrying personal data), ${map.boundaries.length} trust boundaries.`,
          '',
          'Information asset register:',
          ...map.register.map(
            (e) =>
              `  ${e.name} (${e.kind}): ${e.status === UNCLASSIFIED ? UNCLASSIFIED : e.classification}; owner ${e.owner ?? 'not named'}${e.leavesUk ? '; leaves the UK' : ''}`,
          ),
        ];
        if (diff.compared)
          lines.push(
            '',
            `Since the previous map: ${diff.storesAdded.length} stores added, ${diff.storesRemoved.length} removed; ${diff.flowsAdded.length} flows added, ${diff.flowsRemoved.length} removed.`,
            ...[
              ...diff.storesAdded.map((s) => `  + store ${s}`),
              ...diff.storesRemoved.map((s) => `  - store ${s}`),
              ...diff.flowsAdded.map((f) => `  + flow ${f}`),
              ...diff.flowsRemoved.map((f) => `  - flow ${f}`),
            ],
          );
        lines.push(
          '',
          recorded.linked.length > 0
            ? `Recorded as evidence for ${recorded.linked.join(', ')}.`
            : 'Recorded, but linked to no item yet: every store needs a classification first.',
        );
        if (unclassified.length > 0)
          lines.push(
            `Next: classify ${unclassified.map((e) => e.id).join(', ')} in the declared YAML (stores: - id: ... classification: personal | special-category | none).`,
          );
        io.out(lines.join('\n'));
      },
    );
}

function registerDr(program: Command, { io, actor, fail, unwrap, deps, json }: CommandContext): void {
  const dr = program.command('dr').description('disaster-recovery tests');
  dr.command('record')
    .description('record a disaster-recovery test and keep it as evidence for the continuity items')
    .requiredOption('--org <ods>', 'ODS code of the organisation')
    .requiredOption('--type <type>', `${DR_TEST_TYPES.join(', ')}`)
    .requiredOption('--scenario <text>', 'what was tested, such as "ransomware encrypts the practice server"')
    .requiredOption('--systems <names>', 'the systems tested, separated by commas')
    .option('--date <date>', 'the date of the test (default: today)')
    .requiredOption('--rto-target <duration>', 'recovery time objective, such as 4h or 30m')
    .option('--rto <duration>', 'recovery time measured')
    .requiredOption('--rpo-target <duration>', 'recovery point objective, such as 24h')
    .option('--rpo <duration>', 'recovery point measured (data that would be lost)')
    .option('--integrity', 'data integrity was confirmed after recovery')
    .requiredOption('--result <result>', `${DR_TEST_RESULTS.join(', ')}`)
    .option(
      '--action <action|owner|due>',
      'a follow-up action (repeat for more)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('--approved-by <name>', 'who approved the record')
    .option('--notes <text>', 'observations')
    .option('--json', 'print JSON')
    .action(async (o: DrOptions) => {
      const duration = (text: string | undefined, where: string) => {
        if (text === undefined) return null;
        const s = parseDuration(text);
        return s === undefined
          ? fail({
              kind: 'bad-input',
              where,
              message: `expected a duration such as 90s, 30m, 4h or 2d, found "${text}"`,
            })
          : s;
      };
      if (!(DR_TEST_TYPES as readonly string[]).includes(o.type))
        fail({
          kind: 'bad-input',
          where: '--type',
          message: `expected ${DR_TEST_TYPES.join(', ')}, found "${o.type}"`,
        });
      if (!(DR_TEST_RESULTS as readonly string[]).includes(o.result))
        fail({
          kind: 'bad-input',
          where: '--result',
          message: `expected ${DR_TEST_RESULTS.join(', ')}, found "${o.result}"`,
        });
      const actions: DrAction[] = o.action.map((text) => {
        const [action, owner, due] = text.split('|').map((p) => p.trim());
        if (!action || !owner || !due)
          return fail({
            kind: 'bad-input',
            where: `--action ${text}`,
            message: 'expected "action|owner|due date", such as "Move backups off site|IT lead|2026-07-31"',
          });
        return { action, owner, due };
      });
      const d = await deps();
      const recorded = unwrap(
        await recordDrTest(d, actor, {
          odsCode: o.org,
          test: {
            type: o.type as DrTestType,
            scenario: o.scenario,
            systems: o.systems
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
            testedOn: o.date ?? toIsoDate(d.clock.now()),
            rtoTargetSeconds: duration(o.rtoTarget, '--rto-target')!,
            rtoMeasuredSeconds: duration(o.rto, '--rto'),
            rpoTargetSeconds: duration(o.rpoTarget, '--rpo-target')!,
            rpoMeasuredSeconds: duration(o.rpo, '--rpo'),
            integrityConfirmed: o.integrity === true,
            result: o.result as DrTestResult,
            actions,
            approvedBy: o.approvedBy ?? null,
            notes: o.notes ?? null,
          },
        }),
      );
      if (o.json) json(recorded);
      else
        io.out(
          [
            `Recorded the ${recorded.test.type} DR test of ${recorded.test.testedOn}: ${recorded.check.passed ? 'passed' : 'FAILED'}.`,
            ...recorded.check.problems.map((p) => `  - ${p}`),
            recorded.linked.length > 0
              ? `Evidence for ${recorded.linked.join(', ')}.`
              : 'A failed test is not evidence: record a passing retest within 30 days.',
          ].join('\n'),
        );
    });

  dr.command('list')
    .description("an organisation's DR tests, newest first, and any failure still waiting for a retest")
    .argument('<ods>', 'ODS code')
    .option('--json', 'print JSON')
    .action(async (ods: string, o: { json?: boolean }) => {
      const listed = unwrap(await listDrTests(await deps(), actor, { odsCode: ods }));
      if (o.json) {
        json(listed);
        return;
      }
      const { tests, standing } = listed;
      if (tests.length === 0) {
        io.out(
          `No DR tests recorded for ${ods.toUpperCase()}. Record one: npx dspt dr record --org ${ods.toUpperCase()} ...`,
        );
        return;
      }
      io.out(
        [
          ...tests.map(
            (t) =>
              `${t.testedOn} ${t.type.padEnd(10)} ${t.passed ? 'passed' : 'FAILED'}  RTO ${t.rtoMeasuredSeconds === null ? '-' : formatDuration(t.rtoMeasuredSeconds)} / ${formatDuration(t.rtoTargetSeconds)}  RPO ${t.rpoMeasuredSeconds === null ? '-' : formatDuration(t.rpoMeasuredSeconds)} / ${formatDuration(t.rpoTargetSeconds)}  ${t.systems.join(', ')}`,
          ),
          '',
          `Last passing test: ${standing.lastPass ?? 'none'}.`,
          ...(standing.openFailure
            ? [
                `Failure of ${standing.openFailure.testedOn} not yet retested: retest due by ${standing.openFailure.retestDue}.`,
              ]
            : []),
        ].join('\n'),
      );
    });
}

interface DrOptions {
  org: string;
  type: string;
  scenario: string;
  systems: string;
  date?: string;
  rtoTarget: string;
  rto?: string;
  rpoTarget: string;
  rpo?: string;
  integrity?: boolean;
  result: string;
  action: string[];
  approvedBy?: string;
  notes?: string;
  json?: boolean;
}

async function readInput(file: string, fail: (p: Problem) => never): Promise<InputFile> {
  try {
    return { name: path.basename(file), bytes: await readFile(file) };
  } catch {
    return fail({ kind: 'bad-input', where: file, message: 'cannot read this file: does it exist?' });
  }
}
