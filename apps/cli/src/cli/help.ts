import { PROJECT_NAME_RULE } from '@skills/protocol';
import { optionsOf } from './args.js';
import type { CommandSpec, OptionSpec } from './command.js';

function optionLine(name: string, o: OptionSpec): [string, string] {
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
  return [flag, `${o.help}${o.multiple ? ' (repeatable)' : ''}`];
}

function columns(pairs: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(...pairs.map(([a]) => a.length));
  return pairs.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`).join('\n');
}

/** The `--help` text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const parts = [`Usage: skills ${spec.name}${spec.usage ? ` ${spec.usage}` : ''}`, '', spec.summary];
  if (spec.description) parts.push('', spec.description);
  parts.push('', 'Options:', columns(Object.entries(optionsOf(spec)).map(([n, o]) => optionLine(n, o))));
  parts.push('', spec.examples.length > 1 ? 'Examples:' : 'Example:', ...spec.examples.map((e) => `  ${e}`));
  return `${parts.join('\n')}\n`;
}

/** The top-level help: every command and the global options. */
export function mainHelp(specs: readonly CommandSpec[], version: string): string {
  return `skills ${version}: record every invocation of your AI agents ("skills") and ask which one should
handle the next request.

Usage: skills <command> [options]      (global: --db PATH|URL, --help; --json where output is data;
                                        --project NAME where the command reads or writes the store)

Commands:
${columns(specs.map((s) => [s.name, s.summary]))}

Projects: one store keeps several projects apart (their invocations, statistics, recommendations
and exports). A command acts on one: --project NAME, else the project setting (SKILLS_PROJECT),
else 'default'. Names are ${PROJECT_NAME_RULE}.
stats, history and export take --all-projects; 'skills status' lists the projects.

Run 'skills <command> --help' for a command's options and an example.
Start with 'skills demo'.

Exit codes: 0 success, 1 a data or validation problem, 2 bad usage.
Set SKILLS_DEBUG=1 to print stack traces.
`;
}
