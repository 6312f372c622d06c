import { describe, expect, it } from 'vitest';
import { parseHookEvent } from './events.js';
import * as f from './test-support/fixtures.js';

describe('parseHookEvent', () => {
  it('accepts every documented payload of the events it acts on', () => {
    const payloads = [
      f.userPromptSubmit('abc123', 'Write a function to calculate the factorial of a number'),
      f.preToolUse('abc123', 'Skill', f.skillInput('pdf', 'report.pdf'), 'toolu_01ABC123'),
      { ...f.preToolUse('abc123', 'Agent', f.agentInput('Explore'), 'toolu_01ABC123'), ...f.inSubagent },
      f.bashPreToolUse('abc123', 'toolu_01ABC123'),
      f.postToolUse('abc123', 'Agent', f.agentInput('Explore'), 'toolu_01ABC123', f.agentResponse, 48211),
      f.postToolUseFailure('abc123', 'Bash', { command: 'npm test' }, 'toolu_01ABC123'),
      f.stop('abc123'),
      f.stopFailure('abc123'),
      f.sessionEnd('abc123'),
    ];
    for (const payload of payloads) {
      const parsed = parseHookEvent(payload);
      expect(parsed, JSON.stringify(payload).slice(0, 80)).toMatchObject({ ok: true });
      // Nothing is dropped: fields a later Claude Code adds pass through too.
      expect(parsed.ok && parsed.event).toEqual(payload);
    }
    expect(parseHookEvent({ ...f.stop('abc123'), added_in_a_later_version: 1 })).toMatchObject({ ok: true });
  });

  it('names the event, the field and the rule of what it refuses', () => {
    const reason = (input: unknown) => {
      const parsed = parseHookEvent(input);
      return parsed.ok ? 'accepted' : parsed.reason;
    };
    expect(reason('text')).toBe('the hook input is not a JSON object');
    expect(reason([])).toBe('the hook input is not a JSON object');
    expect(reason({ session_id: 's' })).toBe('hook_event_name is missing or not a string');
    expect(reason({ session_id: 's', hook_event_name: 'Notification' })).toBe('event "Notification" is not one this hook acts on');
    expect(reason({ ...f.userPromptSubmit('s', 'x'), prompt: 7 })).toBe('UserPromptSubmit: prompt must be a string');
    expect(reason({ ...f.userPromptSubmit('s', 'x'), session_id: '' })).toBe('UserPromptSubmit: session_id must not be empty');
    expect(reason({ ...f.preToolUse('s', 'Skill', {}, 't'), session_id: 'x'.repeat(201) })).toBe(
      'PreToolUse: session_id must be at most 200 characters',
    );
    expect(reason({ ...f.preToolUse('s', 'Skill', {}, 't'), tool_input: 'pdf' })).toBe('PreToolUse: tool_input must be an object');
    expect(reason({ ...f.postToolUse('s', 'Skill', {}, 't'), duration_ms: -1 })).toBe('PostToolUse: duration_ms must not be negative');
    expect(reason({ ...f.postToolUseFailure('s', 'Skill', {}, 't'), error: undefined })).toBe('PostToolUseFailure: error is required');
    expect(reason({ ...f.stop('s'), effort: { level: 3 } })).toMatch(/^Stop: .* \(at effort\.level\)$/);
  });
});
