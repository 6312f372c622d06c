import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '@skills/protocol';
import { resolveConfig, UsageError } from './config.js';
import { tempDir } from './test-support/harness.js';

describe('resolveConfig', () => {
  it('defaults to 127.0.0.1:8678 and .skills/skills.db under the working directory', () => {
    const cwd = tempDir();
    expect(resolveConfig([], {}, cwd)).toMatchObject({ host: '127.0.0.1', port: 8678, stdio: false, help: false, settings: { dbPath: null } });
  });

  it('takes flags over SKILLS_SERVER_HOST/PORT over the mcp_server_url setting', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'settings'));
    writeFileSync(join(cwd, 'settings', 'skills.yaml'), 'skills:\n  mcp_server_url: http://localhost:9100\n  db_path: data/from-file.db\n');
    expect(resolveConfig([], {}, cwd)).toMatchObject({ host: 'localhost', port: 9100, settings: { dbPath: join(cwd, 'data/from-file.db') } });
    expect(resolveConfig([], { SKILLS_SERVER_HOST: '0.0.0.0', SKILLS_SERVER_PORT: '9200' }, cwd)).toMatchObject({ host: '0.0.0.0', port: 9200 });
    expect(resolveConfig(['--host', '::1', '--port', '0', '--db', 'x.db'], { SKILLS_SERVER_PORT: '9200', SKILLS_DB_PATH: 'env.db' }, cwd)).toMatchObject({
      host: '::1',
      port: 0,
      settings: { dbPath: join(cwd, 'x.db') },
    });
    expect(resolveConfig([], { SKILLS_DB_PATH: 'env.db' }, cwd).settings.dbPath).toBe(join(cwd, 'env.db'));
  });

  it('does not bind to a remote server URL from the settings', () => {
    expect(resolveConfig([], { SKILLS_MCP_URL: 'https://skills.example.com' }, tempDir())).toMatchObject({ host: '127.0.0.1', port: 8678 });
  });

  it('--stdio and --help', () => {
    expect(resolveConfig(['--stdio'], {}, tempDir()).stdio).toBe(true);
    expect(resolveConfig(['-h'], {}, tempDir()).help).toBe(true);
  });

  it('refuses unknown flags, stray arguments and bad ports with a UsageError; bad settings with a SettingsError', () => {
    const cwd = tempDir();
    expect(() => resolveConfig(['--verbose'], {}, cwd)).toThrow(UsageError);
    expect(() => resolveConfig(['serve'], {}, cwd)).toThrow(UsageError);
    expect(() => resolveConfig(['--port'], {}, cwd)).toThrow(/--port/);
    expect(() => resolveConfig(['--port=-1'], {}, cwd)).toThrow('--port must be a whole number from 0 to 65535, got "-1"');
    expect(() => resolveConfig(['--port', '65536'], {}, cwd)).toThrow(UsageError);
    expect(() => resolveConfig([], { SKILLS_SERVER_PORT: '8o8o' }, cwd)).toThrow('SKILLS_SERVER_PORT must be a whole number');
    expect(() => resolveConfig([], { SKILLS_MCP_TIMEOUT_MS: 'soon' }, cwd)).toThrow(SettingsError);
  });
});
