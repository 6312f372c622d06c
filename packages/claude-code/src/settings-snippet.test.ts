import { expect, it } from 'vitest';
import { claudeHooks } from './settings-snippet.js';

it('the HTTP variant posts every event to the server hook endpoint, with the token header', () => {
  for (const serverUrl of ['http://127.0.0.1:8678', 'http://127.0.0.1:8678/', 'http://127.0.0.1:8678/mcp']) {
    const hooks = claudeHooks(serverUrl);
    expect(Object.keys(hooks)).toEqual(Object.keys(claudeHooks()));
    expect(hooks['PreToolUse']).toEqual([
      {
        matcher: '^(Skill|Task|Agent|mcp__.+)$',
        hooks: [
          {
            type: 'http',
            url: 'http://127.0.0.1:8678/hooks/claude-code',
            timeout: 5,
            headers: { Authorization: 'Bearer $SKILLS_SERVER_TOKEN' },
            allowedEnvVars: ['SKILLS_SERVER_TOKEN'],
          },
        ],
      },
    ]);
  }
  // A server behind a path prefix keeps it.
  expect(claudeHooks('https://tools.example.com/skills/mcp')['Stop']![0]!.hooks[0]!['url']).toBe('https://tools.example.com/skills/hooks/claude-code');
});
