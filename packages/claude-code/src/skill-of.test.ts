import { describe, expect, it } from 'vitest';
import { DEFAULT_TOOL_PATTERN } from './hook-settings.js';
import { invocationIdFor } from './invocation-id.js';
import { skillOf } from './skill-of.js';

const tools = new RegExp(DEFAULT_TOOL_PATTERN);

describe('skillOf', () => {
  it('names the skill of a Skill, Agent/Task and MCP call as Claude Code does', () => {
    expect(skillOf('Skill', { skill: ' /pdf ', args: 'x' }, tools)).toEqual({ kind: 'skill', name: 'pdf' });
    expect(skillOf('Skill', { skill: 'my-plugin:review' }, tools)).toEqual({ kind: 'skill', name: 'my-plugin:review' });
    expect(skillOf('Agent', { subagent_type: 'Explore', prompt: 'p' }, tools)).toEqual({ kind: 'skill', name: 'Explore' });
    expect(skillOf('Task', { prompt: 'p' }, tools)).toEqual({ kind: 'skill', name: 'general-purpose' });
    expect(skillOf('mcp__plugin_a_b__search_docs', {}, tools)).toEqual({ kind: 'skill', name: 'mcp__plugin_a_b__search_docs' });
  });

  it('the default pattern matches whole names only', () => {
    for (const name of ['Bash', 'SkillSearch', 'MyAgent', 'Tasks', 'mcp__', 'xmcp__a__b']) {
      expect(skillOf(name, {}, tools)).toEqual({ kind: 'not-a-skill' });
    }
  });

  it('a configured pattern decides which tools count, and a global flag does not make it skip every other call', () => {
    const only = /^(Skill|mcp__memory__.*)$/g;
    expect(skillOf('mcp__memory__save', {}, only)).toMatchObject({ kind: 'skill' });
    expect(skillOf('mcp__memory__load', {}, only)).toMatchObject({ kind: 'skill' });
    expect(skillOf('Agent', { subagent_type: 'x' }, only)).toEqual({ kind: 'not-a-skill' });
  });

  it('skips, with a reason, a call it cannot name', () => {
    expect(skillOf('Skill', {}, tools)).toEqual({ kind: 'skip', reason: 'Skill call without a tool_input.skill string' });
    expect(skillOf('Skill', { skill: '  ' }, tools)).toEqual({ kind: 'skip', reason: 'tool_input.skill is empty' });
    expect(skillOf('Skill', { skill: 'a'.repeat(201) }, tools)).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/longer than 200/) });
    // A lone surrogate cannot be stored: it becomes U+FFFD instead of failing the write.
    expect(skillOf('Skill', { skill: 'pdf\uD800' }, tools)).toEqual({ kind: 'skill', name: 'pdf\uFFFD' });
  });
});

describe('invocationIdFor', () => {
  it('is the same for the same call, different across calls and sessions, and a canonical UUID', () => {
    const id = invocationIdFor('s1', 'toolu_1');
    expect(id).toBe(invocationIdFor('s1', 'toolu_1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(invocationIdFor('s2', 'toolu_1')).not.toBe(id);
    expect(invocationIdFor('s1', 'toolu_2')).not.toBe(id);
    // The separator keeps ("s1", "2x") and ("s12", "x") apart.
    expect(invocationIdFor('s1', '2x')).not.toBe(invocationIdFor('s12', 'x'));
  });
});
