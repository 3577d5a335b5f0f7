// The command modules added to `dspt` beside its core commands (main.ts): one per collector or operation,
// each registering its own subcommands.
import type { CommandModule } from '../main.ts';

export const COMMAND_MODULES: readonly CommandModule[] = [];
