// The command modules added to `dspt` beside its core commands (main.ts): one per collector or operation,
// each registering its own subcommands.
import type { CommandModule } from '../main.ts';
import { backupCommands } from './backup.ts';
import { dataMapCommands } from './data-map.ts';
import { accessReviewCommands } from './access-review.ts';
import { vulnerabilityCommands } from './vulnerabilities.ts';

export const COMMAND_MODULES: readonly CommandModule[] = [
  accessReviewCommands,
  dataMapCommands,
  backupCommands,
  vulnerabilityCommands,
];
