import { cleanName } from './clean.js';

/** What a tool call is to skills: not a skill, a skill by name, or a skill call that cannot be recorded. */
export type SkillOf = { readonly kind: 'not-a-skill' } | { readonly kind: 'skill'; readonly name: string } | { readonly kind: 'skip'; readonly reason: string };

const NOT_A_SKILL: SkillOf = Object.freeze({ kind: 'not-a-skill' });

/** The built-in subagent an `Agent` call without `subagent_type` runs. */
export const DEFAULT_SUBAGENT = 'general-purpose';

/**
 * The skill a tool call invokes, when `tools` matches its name (a whole-name match is up to the
 * pattern: anchor it):
 * - `Skill`: `tool_input.skill`, trimmed, one leading `/` dropped (how Claude Code reads it);
 *   plugin skills keep their `plugin:skill` name;
 * - `Agent` (and its old name `Task`): `tool_input.subagent_type`, else `general-purpose`;
 * - anything else, e.g. `mcp__server__tool`: the tool name itself (server names may hold `_`,
 *   so it is never split).
 *
 * @example
 * skillOf('Skill', { skill: '/pdf' }, /^Skill$/); // { kind: 'skill', name: 'pdf' }
 */
export function skillOf(toolName: string, toolInput: Readonly<Record<string, unknown>>, tools: RegExp): SkillOf {
  // A global or sticky pattern would carry lastIndex from one test to the next.
  tools.lastIndex = 0;
  if (!tools.test(toolName)) return NOT_A_SKILL;
  let raw: string;
  let field: string;
  if (toolName === 'Skill') {
    const skill = toolInput['skill'];
    if (typeof skill !== 'string') return { kind: 'skip', reason: 'Skill call without a tool_input.skill string' };
    raw = skill.trim().replace(/^\//, '');
    field = 'tool_input.skill';
  } else if (toolName === 'Agent' || toolName === 'Task') {
    const type = toolInput['subagent_type'];
    raw = typeof type === 'string' && type.trim() !== '' ? type : DEFAULT_SUBAGENT;
    field = 'tool_input.subagent_type';
  } else {
    raw = toolName;
    field = 'tool_name';
  }
  const name = cleanName(raw, field);
  return 'name' in name ? { kind: 'skill', name: name.name } : { kind: 'skip', reason: name.reason };
}
