import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { isStoreUrl, PROJECT_NAME_PATTERN, SettingsError, SettingsSchema, type Settings } from '@skills/protocol';
import { loadSettings } from '../settings/index.js';
import { removeTempDirs, tempDir } from './harness.mjs';

afterAll(removeTempDirs);

type Key = keyof Settings;
const KEYS = Object.keys(SettingsSchema.shape) as Key[];
const toSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A value each setting accepts. */
const validValue: Record<Key, fc.Arbitrary<unknown>> = {
  enabled: fc.boolean(),
  backend: fc.constantFrom('direct', 'mcp', 'auto'),
  dbPath: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 20 }), fc.constant('/var/lib/skills.db')),
  dbUrl: fc.oneof(
    fc.constant(null),
    fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
    fc.constantFrom('postgres://skills:pw@127.0.0.1:5432/skills', 'sqlite:data/skills.db', 'C:\\data\\skills.db'),
  ),
  project: fc.stringMatching(PROJECT_NAME_PATTERN),
  mcpServerUrl: fc.webUrl(),
  mcpTimeoutMs: fc.integer({ min: 1, max: 600_000 }),
  minSimilarity: fc.double({ min: 0, max: 1, noNaN: true }),
  maxRecommendations: fc.integer({ min: 1, max: 100 }),
  enablePhaseAware: fc.boolean(),
  phaseWeight: fc.double({ min: 0, max: 1, noNaN: true }),
  abandonAfterSeconds: fc.integer({ min: 1, max: 10 ** 9 }),
  redactSecrets: fc.boolean(),
  embedder: fc.constantFrom('auto', 'transformer', 'lexical'),
  embeddingModel: fc.string({ minLength: 1, maxLength: 30 }),
  modelPath: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 20 })),
  allowModelDownload: fc.boolean(),
  ranker: fc.constantFrom('learned', 'similarity'),
};

/** Anything YAML can hold, including the near misses of each type. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', ' ', 'true', 'yes', '0.5', '1e3', 'null', '~', 'http://', 'ftp://x', '-1', '1.5', 'NaN'),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e300, -1, 0.5, 2, 100, 101, 600_001),
);

/** Keys as a person writes them: camelCase, snake_case, near misses, unknown words, prototype names. */
const anyKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 4, arbitrary: fc.constantFrom(...KEYS.map(toSnake)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'db-path', 'DB_PATH', 'dbpath', '', ' ', '1'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const entry = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KEYS).chain((k) => fc.tuple(fc.constantFrom(k, toSnake(k)), validValue[k])) },
  { weight: 2, arbitrary: fc.tuple(anyKey, anyValue) },
);
/** A settings file's `skills:` mapping. Own properties only, even for `__proto__`. */
const mapping = fc.array(entry, { maxLength: 6 }).map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

/**
 * Offending keys a SettingsError may name for this mapping, and the settings it stands for when
 * valid. A setting written twice (`db_path` and `dbPath`) takes the later value; the earlier one is
 * never checked.
 */
function judge(section: Record<string, unknown>) {
  const offending = new Set<string>();
  const last = new Map<Key, unknown>();
  for (const [raw, value] of Object.entries(section)) {
    const key = toCamel(raw) as Key;
    if (KEYS.includes(key)) last.set(key, value);
    else offending.add(`skills.${raw}`);
  }
  const values: Partial<Record<Key, unknown>> = {};
  for (const [key, value] of last) {
    const parsed = SettingsSchema.shape[key].safeParse(value);
    if (parsed.success) values[key] = parsed.data;
    else offending.add(key);
  }
  return { offending, values };
}

describe('settings files (property)', () => {
  const cwd = tempDir('skills-settings-property-');
  mkdirSync(join(cwd, 'settings'));
  const skillsFile = join(cwd, 'settings', 'skills.yaml');
  const localFile = join(cwd, 'settings', 'local.yaml');

  it('random `skills:` mappings either load or fail with a SettingsError naming the file and the key', () => {
    fc.assert(
      fc.property(mapping, fc.option(mapping, { nil: undefined }), (skills, local) => {
        writeFileSync(skillsFile, stringify({ skills }));
        if (local) writeFileSync(localFile, stringify({ skills: local }));
        else rmSync(localFile, { force: true });
        const inSkills = judge(skills);
        const inLocal = local ? judge(local) : { offending: new Set<string>(), values: {} };

        let loaded: Settings;
        try {
          loaded = loadSettings({ cwd, env: {} }).settings;
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          const e = error as SettingsError;
          // The first file with a bad entry is named, with one of its bad keys.
          const [file, bad] = inSkills.offending.size > 0 ? [skillsFile, inSkills.offending] : [localFile, inLocal.offending];
          expect(e.source).toBe(file);
          expect([...bad]).toContain(e.key);
          expect(e.message).toContain(`"${e.key}"`);
          expect(e.message).toContain(file);
          return;
        }
        expect([...inSkills.offending, ...inLocal.offending]).toEqual([]);
        // Every key given has its value, local.yaml over skills.yaml; the rest keep their defaults.
        const expected = { ...SettingsSchema.parse({}), ...inSkills.values, ...inLocal.values } as Settings;
        // Paths relative to cwd; URLs as given.
        for (const key of ['dbPath', 'dbUrl'] as const) {
          const given = expected[key];
          if (given !== null && !isStoreUrl(given) && !isAbsolute(given)) expected[key] = resolve(cwd, given);
        }
        expect(loaded).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('random text as a settings file either loads or fails with a SettingsError naming the file', () => {
    const yamlish = fc
      .array(
        fc.oneof(
          fc.constantFrom('skills:', '\n', '  ', ': ', '- ', 'backend', 'db_path', 'enabled', '&a ', '*a', '!!binary '),
          fc.constantFrom('{', '}', '[', ']', '"', "'", '#', '|', '>', '%YAML 1.2\n', '---\n', '<<: '),
          fc.string({ maxLength: 4 }),
        ),
        { maxLength: 20 },
      )
      .map((parts) => parts.join(''));
    rmSync(localFile, { force: true });
    // The yaml library reports odd directives and tags as process warnings: not this test's subject.
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    fc.assert(
      fc.property(yamlish, (text) => {
        writeFileSync(skillsFile, text);
        try {
          loadSettings({ cwd, env: {} });
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          expect((error as SettingsError).source).toBe(skillsFile);
          expect((error as SettingsError).key).toBeTruthy();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random SKILLS_* environment values either load or fail with a SettingsError naming the variable', () => {
    rmSync(skillsFile, { force: true });
    rmSync(localFile, { force: true });
    const names = KEYS.map((k) => `SKILLS_${toSnake(k).toUpperCase()}`);
    const variable = fc.constantFrom(...names, 'SKILLS_MCP_URL', 'CRACKERJACK_SKILLS_BACKEND');
    const words = fc.constantFrom('true', 'off', '0.5', '7', '-3', 'null', 'none', 'direct', 'http://localhost:1');
    const text = fc.oneof(fc.string({ maxLength: 10 }), words);
    fc.assert(
      fc.property(fc.dictionary(variable, text, { maxKeys: 3 }), (env) => {
        try {
          loadSettings({ cwd, env });
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          const e = error as SettingsError;
          expect(Object.keys(env).map((name) => `env ${name}`)).toContain(e.source);
          expect(KEYS).toContain(e.key);
        }
      }),
      { numRuns: 300 },
    );
  });
});
