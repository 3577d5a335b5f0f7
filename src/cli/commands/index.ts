// The command modules added to `dspt` beside its core commands (main.ts): one per collector or operation,
// each registering its own subcommands. Each is loaded only when its commands are asked for (or for help),
// so that `dspt collect access-review` does not pay to load the backup, OSV and data-map code, and the other
// way round.
import type { CommandModule } from '../main.ts';

export interface LazyCommandModule {
  /** The commands it registers: top-level names, and `parent child` for subcommands of a shared parent. */
  commands: readonly string[];
  load: () => Promise<CommandModule>;
}

export const COMMAND_MODULES: readonly LazyCommandModule[] = [
  {
    commands: ['collect access-review', 'review'],
    load: async () => (await import('./access-review.ts')).accessReviewCommands,
  },
  {
    commands: ['collect data-map', 'dr'],
    load: async () => (await import('./data-map.ts')).dataMapCommands,
  },
  {
    commands: ['backup', 'restore', 'dr-drill'],
    load: async () => (await import('./backup.ts')).backupCommands,
  },
  {
    commands: ['osv', 'collect vulnerabilities'],
    load: async () => (await import('./vulnerabilities.ts')).vulnerabilityCommands,
  },
];

/**
 * The modules a command line needs: those registering the command it names (`collect` names its
 * subcommand too); every module when it names none of theirs, so that help and "unknown command" see them all.
 */
export function modulesFor(args: readonly string[]): readonly LazyCommandModule[] {
  const [first, second] = args.filter((a) => !a.startsWith('-'));
  if (first === undefined) return COMMAND_MODULES;
  const named = COMMAND_MODULES.filter((m) =>
    m.commands.some((c) => c === first || (second !== undefined && c === `${first} ${second}`)),
  );
  return named.length > 0 ? named : COMMAND_MODULES;
}
