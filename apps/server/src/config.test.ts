import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '@skills/protocol';
import { DEFAULT_MAX_BODY_BYTES, resolveConfig, UsageError } from './config.js';
import { ProjectGrant } from './project-grant.js';
import { tempDir } from './test-support/harness.js';

const TOKEN = 'a'.repeat(12) + '-secret-token';

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
    expect(resolveConfig([], { SKILLS_SERVER_HOST: '0.0.0.0', SKILLS_SERVER_PORT: '9200', SKILLS_SERVER_TOKEN: TOKEN }, cwd)).toMatchObject({
      host: '0.0.0.0',
      port: 9200,
      tokens: [{ token: TOKEN, grant: ProjectGrant.ALL }],
    });
    expect(resolveConfig(['--host', '::1', '--port', '0', '--db', 'x.db'], { SKILLS_SERVER_PORT: '9200', SKILLS_DB_PATH: 'env.db' }, cwd)).toMatchObject({
      host: '::1',
      port: 0,
      // --db sets dbUrl, which wins over dbPath (SKILLS_DB_PATH), and takes a URL as well as a path.
      settings: { dbUrl: join(cwd, 'x.db'), dbPath: join(cwd, 'env.db') },
    });
    expect(resolveConfig([], { SKILLS_DB_PATH: 'env.db' }, cwd).settings.dbPath).toBe(join(cwd, 'env.db'));
    expect(resolveConfig(['--db', 'postgres://s:pw@db/x'], { SKILLS_DB_URL: 'sqlite:env.db' }, cwd).settings.dbUrl).toBe('postgres://s:pw@db/x');
    expect(resolveConfig([], { SKILLS_DB_URL: 'sqlite:env.db', SKILLS_DB_PATH: 'env.db' }, cwd).settings.dbUrl).toBe('sqlite:env.db');
    expect(() => resolveConfig(['--db', ' '], {}, cwd)).toThrow('--db needs a file path or a URL');
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

  it('takes the token from --token-file (trimmed) over SKILLS_SERVER_TOKEN, and checks it', () => {
    const cwd = tempDir();
    const only = (token: string) => [{ token, grant: ProjectGrant.ALL }];
    expect(resolveConfig([], {}, cwd)).toMatchObject({ tokens: [], allowedHosts: [], maxBodyBytes: DEFAULT_MAX_BODY_BYTES, warnings: [] });
    expect(resolveConfig([], { SKILLS_SERVER_TOKEN: `  ${TOKEN}\n` }, cwd).tokens).toEqual(only(TOKEN));
    expect(resolveConfig([], { SKILLS_SERVER_TOKEN: '   ' }, cwd).tokens).toEqual([]);
    writeFileSync(join(cwd, 'token'), `\n${TOKEN}-from-file\r\n`);
    chmodSync(join(cwd, 'token'), 0o600);
    expect(resolveConfig(['--token-file', 'token'], { SKILLS_SERVER_TOKEN: TOKEN }, cwd)).toMatchObject({ tokens: only(`${TOKEN}-from-file`), warnings: [] });
    // SKILLS_TOKEN_FILE names the file when the flag does not; the flag wins.
    expect(resolveConfig([], { SKILLS_TOKEN_FILE: 'token', SKILLS_SERVER_TOKEN: TOKEN }, cwd).tokens).toEqual(only(`${TOKEN}-from-file`));
    expect(() => resolveConfig(['--token-file', 'nope'], { SKILLS_TOKEN_FILE: 'token' }, cwd)).toThrow(/--token-file: cannot read/);
    expect(() => resolveConfig([], { SKILLS_TOKEN_FILE: 'nope' }, cwd)).toThrow(/^SKILLS_TOKEN_FILE: cannot read .*nope \(ENOENT\)$/);
    chmodSync(join(cwd, 'token'), 0o640);
    expect(resolveConfig(['--token-file', 'token'], {}, cwd).warnings).toEqual([
      `the token file ${join(cwd, 'token')} can be read by other users; restrict it with: chmod 600 ${join(cwd, 'token')}`,
    ]);
    expect(() => resolveConfig([], { SKILLS_SERVER_TOKEN: 'short' }, cwd)).toThrow('SKILLS_SERVER_TOKEN must be at least 16 characters (got 5)');
    expect(() => resolveConfig([], { SKILLS_SERVER_TOKEN: 'sixteen chars with spaces' }, cwd)).toThrow(/visible ASCII/);
    expect(() => resolveConfig(['--token-file', 'nope'], {}, cwd)).toThrow(/--token-file: cannot read .*nope \(ENOENT\)/);
    expect(() => resolveConfig(['--token', TOKEN], {}, cwd)).toThrow(/Unknown option '--token'/);
  });

  it('refuses a non-loopback host without a token (not for --stdio or --help)', () => {
    const cwd = tempDir();
    for (const host of ['0.0.0.0', '::', '192.0.2.1', 'example.com']) {
      expect(() => resolveConfig(['--host', host], {}, cwd)).toThrow(UsageError);
      expect(() => resolveConfig(['--host', host], {}, cwd)).toThrow(`refusing to listen on ${host} without a token`);
    }
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.53']) expect(resolveConfig(['--host', host], {}, cwd).host).toBe(host);
    expect(resolveConfig(['--host', '0.0.0.0', '--stdio'], {}, cwd).stdio).toBe(true);
    expect(resolveConfig(['--host', '0.0.0.0', '--help'], {}, cwd).help).toBe(true);
    expect(resolveConfig(['--host', '0.0.0.0'], { SKILLS_SERVER_TOKEN: TOKEN }, cwd).host).toBe('0.0.0.0');
  });

  it('reads allowed hosts and the body limit from flags or the environment', () => {
    const cwd = tempDir();
    expect(resolveConfig(['--allowed-hosts', 'skills.internal, 10.0.0.5 ,[fd00::1]'], {}, cwd).allowedHosts).toEqual(['skills.internal', '10.0.0.5', '[fd00::1]']);
    expect(resolveConfig([], { SKILLS_SERVER_ALLOWED_HOSTS: 'a.example,b.example' }, cwd).allowedHosts).toEqual(['a.example', 'b.example']);
    expect(() => resolveConfig(['--allowed-hosts', '*'], {}, cwd)).toThrow('--allowed-hosts takes host names or addresses separated by commas, got "*"');
    expect(() => resolveConfig([], { SKILLS_SERVER_ALLOWED_HOSTS: 'http://x.example/' }, cwd)).toThrow(/SKILLS_SERVER_ALLOWED_HOSTS takes host names/);
    expect(resolveConfig(['--max-body-bytes', '1048576'], {}, cwd).maxBodyBytes).toBe(1_048_576);
    expect(resolveConfig([], { SKILLS_SERVER_MAX_BODY_BYTES: '2048' }, cwd).maxBodyBytes).toBe(2048);
    expect(() => resolveConfig(['--max-body-bytes', '1MB'], {}, cwd)).toThrow('--max-body-bytes must be a whole number of bytes from 1024 to 1073741824, got "1MB"');
    expect(() => resolveConfig([], { SKILLS_SERVER_MAX_BODY_BYTES: '10' }, cwd)).toThrow(UsageError);
  });
});
