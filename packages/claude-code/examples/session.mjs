// A scripted Claude Code session, offline: the hook events Claude Code would send for two
// prompts, fed to the built `skills-hook` command one process each (as Claude Code runs it),
// against a fresh store in a temporary folder. Prints what was recorded and what the second
// prompt was told. Run: pnpm --filter @skills/claude-code example
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '@skills/store-sqlite';

const bin = fileURLToPath(new URL('../dist/bin/skills-hook.mjs', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-example-'));
const env = { ...process.env, SKILLS_BACKEND: 'direct', SKILLS_EMBEDDER: 'lexical' };
const session = 'example-session';
const hook = (event) => execFileSync(process.execPath, [bin], { cwd, env, input: JSON.stringify({ session_id: session, ...event }), encoding: 'utf8' });

const call = (tool_name, tool_input) => ({ tool_name, tool_input });
const testRunner = call('Skill', { skill: 'test-runner' });
const ciTests = call('mcp__ci__run_tests', { suite: 'unit' });
const debuggerAgent = call('Agent', { subagent_type: 'debugger', description: 'Find the failing test', prompt: 'Why does the parser test fail?' });

hook({ hook_event_name: 'UserPromptSubmit', prompt: 'run the unit tests and fix what fails' });
hook({ hook_event_name: 'PreToolUse', ...ciTests, tool_use_id: 'toolu_1' });
hook({ hook_event_name: 'PostToolUseFailure', ...ciTests, tool_use_id: 'toolu_1', error: 'Exit code 2\nno such suite', duration_ms: 3100 });
hook({ hook_event_name: 'PreToolUse', ...testRunner, tool_use_id: 'toolu_2' });
hook({ hook_event_name: 'PostToolUse', ...testRunner, tool_use_id: 'toolu_2', tool_response: { success: true }, duration_ms: 2400 });
hook({ hook_event_name: 'PreToolUse', ...debuggerAgent, tool_use_id: 'toolu_3' });
hook({ hook_event_name: 'PostToolUse', ...debuggerAgent, tool_use_id: 'toolu_3', tool_response: { status: 'completed' }, duration_ms: 41000 });
hook({ hook_event_name: 'PreToolUse', ...testRunner, tool_use_id: 'toolu_4' }); // the tests again, after the fix
hook({ hook_event_name: 'PostToolUse', ...testRunner, tool_use_id: 'toolu_4', tool_response: { success: true }, duration_ms: 2300 });
hook({ hook_event_name: 'PreToolUse', ...call('Skill', { skill: 'deploy' }), tool_use_id: 'toolu_d' }); // denied: no PostToolUse
hook({ hook_event_name: 'Stop' });

const answer = hook({ hook_event_name: 'UserPromptSubmit', prompt: 'run the unit tests' });
hook({ hook_event_name: 'PreToolUse', ...testRunner, tool_use_id: 'toolu_6' });
hook({ hook_event_name: 'PostToolUse', ...testRunner, tool_use_id: 'toolu_6', tool_response: { success: true }, duration_ms: 2200 });
hook({ hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' });

const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
console.log('Recorded:');
for (const r of (await store.listInvocations()).reverse()) {
  const rank = r.selectionRank ? `, chosen #${r.selectionRank} of [${r.alternativesConsidered.join(', ')}]` : '';
  console.log(`  ${r.skillName.padEnd(20)} ${r.status.padEnd(9)} ${r.durationSeconds ?? '-'} s  "${r.userQuery}"${r.errorType ? ` (${r.errorType})` : ''}${rank}`);
}
await store.close();
console.log('\nRecommendations at the second prompt (additionalContext):');
console.log(JSON.parse(answer).hookSpecificOutput.additionalContext);
