import { describe, expect, it } from 'vitest';
import type { EngineStore } from './engine.js';
import { ValidationError, parseOrThrow } from './errors.js';
import {
  checkProjectName,
  foreignProjectViolations,
  ALL_PROJECTS,
  DEFAULT_PROJECT,
  isProjectStore,
  PROJECT_NAME_PATTERN,
  PROJECT_NAME_RULE,
  ProjectAccessError,
  projectField,
  ProjectSchema,
} from './projects.js';
import type { SkillsStore } from './store.js';

describe('project names', () => {
  it('take lowercase letters, digits, dots, underscores and hyphens, starting with a letter or digit, up to 64 characters', () => {
    for (const name of [DEFAULT_PROJECT, 'a', '0', 'team-a', 'team_a.v2', '1st-team', 'a'.repeat(64)]) {
      expect(PROJECT_NAME_PATTERN.test(name), name).toBe(true);
      expect(ProjectSchema.parse(name)).toBe(name);
    }
    for (const name of ['', 'Team-A', 'a b', '-a', '.a', '_a', 'a'.repeat(65), 'a/b', 'équipe', ALL_PROJECTS, 'a\n']) {
      expect(PROJECT_NAME_PATTERN.test(name), JSON.stringify(name)).toBe(false);
    }
  });

  it('are refused naming the field and the rule', () => {
    const error = (() => {
      try {
        return parseOrThrow(projectField('settings.project'), 'Team A', 'settings');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations).toEqual([{ path: '', message: `settings.project must be ${PROJECT_NAME_RULE}` }]);
    expect(ProjectSchema.safeParse(42).error?.issues[0]?.message).toBe('project must be a string');
    expect(ProjectSchema.safeParse(undefined).error?.issues[0]?.message).toBe('project is required');
  });
});

describe('isProjectStore', () => {
  it('tells a store with project views from one without', () => {
    const plain = { location: 'x' } as unknown as SkillsStore;
    expect(isProjectStore(plain)).toBe(false);
    expect(isProjectStore({ ...plain, forProject: () => plain as EngineStore } as unknown as SkillsStore)).toBe(false);
    const scoped = { ...plain, forProject: () => plain as EngineStore, listProjects: async () => [] } as unknown as SkillsStore;
    expect(isProjectStore(scoped)).toBe(true);
  });
});

describe('ProjectAccessError', () => {
  it('names the project refused, with its own code', () => {
    const error = new ProjectAccessError('beta');
    expect(error.code).toBe('PROJECT_FORBIDDEN');
    expect(error.project).toBe('beta');
    expect(error.message).toBe('project "beta" is not allowed for this token');
  });

  it('checkProjectName returns a name and refuses anything else at `project`, with the rule', () => {
    expect(checkProjectName('team-a')).toBe('team-a');
    for (const bad of ['Team A', '', 42, null]) {
      expect(() => checkProjectName(bad)).toThrow(ValidationError);
      try {
        checkProjectName(bad);
      } catch (error) {
        expect((error as ValidationError).violations).toEqual([{ path: 'project', message: `project must be ${PROJECT_NAME_RULE}` }]);
      }
    }
  });

  it("foreignProjectViolations names each entry of another project, never one of the view's or with none", () => {
    const entries = [{ project: 'alpha' }, {}, { project: 'beta' }];
    expect(foreignProjectViolations('alpha', entries, (i) => `inserts.${i}`)).toEqual([
      { path: 'inserts.2.project', message: 'project must be "alpha" (this view\'s project) or absent, not "beta"' },
    ]);
  });
});
