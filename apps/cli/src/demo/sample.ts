import { seededRandom, type InvocationRecord } from '@skills/protocol';

/** A skill of the demo team: what it is asked, where it is used, how well and how long it runs. */
interface DemoSkill {
  readonly name: string;
  readonly phase: 'planning' | 'implementation' | 'verification';
  /** Phases it is also used in, less often. */
  readonly alsoIn?: readonly string[];
  readonly success: number;
  /** Typical run time in seconds. */
  readonly seconds: number;
  readonly errors: readonly string[];
  readonly followUps?: readonly string[];
  readonly queries: readonly string[];
}

/** The demo's agents: a realistic team across planning, implementation and verification. */
export const DEMO_SKILLS: readonly DemoSkill[] = [
  { name: 'architect', phase: 'planning', success: 0.9, seconds: 95, errors: ['ContextLengthError'], followUps: ['write ADR'], queries: ['design the architecture for the new billing service', 'split the monolith into services', 'plan the event-driven architecture for order processing', 'choose between a queue and a cron job for the nightly sync'] },
  { name: 'planner', phase: 'planning', success: 0.93, seconds: 40, errors: ['TimeoutError'], followUps: ['create issues'], queries: ['break the feature down into tasks', 'plan the migration to the new auth provider', 'write an implementation plan for dark mode', 'estimate and order the work for the release'] },
  { name: 'requirements-analyst', phase: 'planning', success: 0.88, seconds: 55, errors: ['AmbiguityError'], queries: ['clarify the requirements for the export feature', 'write user stories for the onboarding flow', 'list the acceptance criteria for password reset'] },
  { name: 'api-designer', phase: 'planning', alsoIn: ['implementation'], success: 0.9, seconds: 70, errors: ['SchemaError'], followUps: ['update openapi.yaml'], queries: ['design a REST API for invoices', 'design the GraphQL schema for comments', 'version the public API without breaking clients'] },
  { name: 'database-designer', phase: 'planning', alsoIn: ['implementation'], success: 0.86, seconds: 80, errors: ['MigrationError'], followUps: ['write migration'], queries: ['design the database schema for user accounts', 'add an index for the slow orders query', 'model many-to-many tags in postgres', 'plan a zero-downtime schema migration'] },
  { name: 'researcher', phase: 'planning', success: 0.95, seconds: 120, errors: ['RateLimitError'], queries: ['compare react state management libraries', 'research how other projects rate limit their API', 'find the best library for parsing PDFs in python'] },
  { name: 'python-pro', phase: 'implementation', success: 0.9, seconds: 150, errors: ['TypeError', 'ImportError'], followUps: ['git commit', 'run tests'], queries: ['add type hints to the python module', 'write an async http client in python', 'refactor the python data pipeline to use generators', 'fix the ImportError in the CLI entry point'] },
  { name: 'typescript-pro', phase: 'implementation', success: 0.92, seconds: 130, errors: ['TypeError'], followUps: ['git commit', 'run tests'], queries: ['fix the failing type check in the React component', 'convert the utils module to strict TypeScript', 'write a typed event emitter in TypeScript', 'add generics to the repository class'] },
  { name: 'frontend-developer', phase: 'implementation', success: 0.87, seconds: 180, errors: ['BuildError', 'TypeError'], followUps: ['take screenshot'], queries: ['build the settings page with a form', 'make the navbar responsive on mobile', 'add dark mode to the dashboard', 'fix the layout shift on the landing page'] },
  { name: 'backend-developer', phase: 'implementation', success: 0.89, seconds: 160, errors: ['TimeoutError', 'ConnectionError'], followUps: ['git commit'], queries: ['implement the invoices endpoint', 'add pagination to the orders API', 'send a welcome email after signup', 'add a background job to resize images'] },
  { name: 'refactoring-specialist', phase: 'implementation', success: 0.84, seconds: 210, errors: ['TestFailure'], followUps: ['run tests', 'git commit'], queries: ['refactor the payment module to remove duplication', 'extract the validation logic into its own class', 'simplify the nested callbacks in the uploader', 'rename the confusing user helpers'] },
  { name: 'dependency-manager', phase: 'implementation', success: 0.8, seconds: 60, errors: ['ResolutionError', 'NetworkError'], followUps: ['update lockfile'], queries: ['upgrade react to the latest major version', 'fix the peer dependency conflict', 'remove unused dependencies from package.json'] },
  { name: 'docs-writer', phase: 'implementation', alsoIn: ['verification'], success: 0.97, seconds: 45, errors: ['TimeoutError'], queries: ['write the README for the CLI', 'document the public API with examples', 'write a changelog entry for the release', 'explain the architecture in the docs'] },
  { name: 'devops-engineer', phase: 'implementation', success: 0.83, seconds: 240, errors: ['DeployError', 'TimeoutError'], followUps: ['open PR'], queries: ['write a Dockerfile for the API', 'set up the CI pipeline with GitHub Actions', 'deploy the service to kubernetes', 'cache dependencies in the CI build'] },
  { name: 'debugger', phase: 'verification', alsoIn: ['implementation'], success: 0.78, seconds: 200, errors: ['TimeoutError', 'ReproductionError'], followUps: ['add regression test'], queries: ['debug the crash when uploading large files', 'find why the login request hangs', 'the app leaks memory after an hour', 'fix the race condition in the cache'] },
  { name: 'test-runner', phase: 'verification', success: 0.91, seconds: 35, errors: ['TestFailure', 'TimeoutError'], followUps: ['fix failing test'], queries: ['run the unit tests', 'the unit tests fail after the refactor', 'run the test suite for the parser', 'rerun the flaky integration tests'] },
  { name: 'test-writer', phase: 'verification', alsoIn: ['implementation'], success: 0.9, seconds: 110, errors: ['TestFailure'], followUps: ['run tests'], queries: ['write unit tests for the invoice calculator', 'add integration tests for the orders API', 'increase test coverage of the auth module', 'write property-based tests for the parser'] },
  { name: 'code-reviewer', phase: 'verification', success: 0.94, seconds: 75, errors: ['ContextLengthError'], followUps: ['git commit', 'request changes'], queries: ['review my pull request', 'review the diff for the payment change', 'check this code for bugs before merging', 'review the error handling in the uploader'] },
  { name: 'security-auditor', phase: 'verification', success: 0.9, seconds: 140, errors: ['TimeoutError'], followUps: ['open security issue'], queries: ['check the login flow for security issues', 'audit the API for injection vulnerabilities', 'review my pull request for security issues', 'scan dependencies for known vulnerabilities'] },
  { name: 'linter', phase: 'verification', alsoIn: ['implementation'], success: 0.97, seconds: 8, errors: ['ConfigError'], queries: ['lint the code and fix style issues', 'run eslint on the changed files', 'format the python code with ruff'] },
  { name: 'type-checker', phase: 'verification', success: 0.92, seconds: 20, errors: ['TypeError'], queries: ['run the type check', 'fix the failing type check', 'check the python module with pyright'] },
  { name: 'performance-profiler', phase: 'verification', success: 0.82, seconds: 260, errors: ['TimeoutError', 'ProfilerError'], followUps: ['open issue'], queries: ['profile the slow dashboard page', 'why is the orders query slow', 'benchmark the JSON parser', 'find the memory hotspot in the worker'] },
  { name: 'e2e-tester', phase: 'verification', success: 0.76, seconds: 300, errors: ['TimeoutError', 'ElementNotFoundError'], followUps: ['fix failing test'], queries: ['run the end-to-end tests in the browser', 'test the checkout flow end to end', 'the e2e login test is flaky'] },
  { name: 'crackerjack-run', phase: 'verification', success: 0.88, seconds: 90, errors: ['QualityGateError'], followUps: ['git commit'], queries: ['run the quality checks before commit', 'run crackerjack with tests and linting', 'make the code pass all quality gates'] },
  { name: 'release-manager', phase: 'verification', success: 0.9, seconds: 100, errors: ['VersionError'], followUps: ['publish', 'tag release'], queries: ['prepare the release notes and bump the version', 'publish the package to npm', 'tag and release version 2.0'] },
];


const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** One invocation of the demo: a skill, a query, its phase, how it ended and how long it took. */
export interface DemoInvocation {
  readonly skill: string;
  readonly query: string;
  readonly phase: string;
  readonly completed: boolean;
  readonly errorType: string | null;
  readonly seconds: number;
  readonly followUps: string[];
  readonly alternatives: string[];
  readonly rank: number | null;
}

/** `count` invocations drawn from {@link DEMO_SKILLS} with `random`. */
export function drawInvocations(random: () => number, count: number): DemoInvocation[] {
  return Array.from({ length: count }, () => {
    const skill = pick(random, DEMO_SKILLS);
    const phase = skill.alsoIn && random() < 0.25 ? pick(random, skill.alsoIn) : skill.phase;
    // Skills do a little worse outside their home phase.
    const completed = random() < skill.success - (phase === skill.phase ? 0 : 0.15);
    // Log-normal-ish spread around the typical time; failures stop early.
    const spread = Math.exp((random() + random() + random() - 1.5) * 0.8);
    const seconds = Math.max(0.4, skill.seconds * spread * (completed ? 1 : 0.45));
    const peers = DEMO_SKILLS.filter((s) => s.phase === skill.phase && s.name !== skill.name);
    const considered = random() < 0.4;
    return {
      skill: skill.name,
      query: pick(random, skill.queries),
      phase,
      completed,
      errorType: completed ? null : pick(random, skill.errors),
      seconds: Math.round(seconds * 1000) / 1000,
      followUps: completed && skill.followUps && random() < 0.5 ? [pick(random, skill.followUps)] : [],
      alternatives: considered ? [pick(random, peers).name] : [],
      rank: considered ? (random() < 0.8 ? 1 : 2) : null,
    };
  });
}

/**
 * The recorded history the demo starts from: past sessions over the four weeks before `now`,
 * with realistic durations. Ids are fixed, so a second demo run finds them already stored.
 */
export function demoHistory(now: number, sessions = 24): InvocationRecord[] {
  const random = seededRandom(20_260_201);
  const records: InvocationRecord[] = [];
  for (let s = 0; s < sessions; s++) {
    const sessionId = `demo-history-${String(s + 1).padStart(2, '0')}`;
    let at = now - (28 - s) * 86_400_000 + Math.floor(random() * 8) * 3_600_000;
    drawInvocations(random, 8 + Math.floor(random() * 10)).forEach((inv, i) => {
      const invokedAt = new Date(at);
      at += inv.seconds * 1000 + 30_000 + random() * 600_000;
      records.push({
        id: `demo-${sessionId}-${String(i + 1).padStart(3, '0')}`,
        skillName: inv.skill,
        sessionId,
        invokedAt: invokedAt.toISOString(),
        status: inv.completed ? 'completed' : 'failed',
        completed: inv.completed,
        completedAt: new Date(invokedAt.getTime() + inv.seconds * 1000).toISOString(),
        durationSeconds: inv.seconds,
        userQuery: inv.query,
        workflowPhase: inv.phase,
        alternativesConsidered: inv.alternatives,
        selectionRank: inv.rank,
        followUpActions: inv.followUps,
        errorType: inv.errorType,
      });
    });
  }
  return records;
}

/** The questions the demo asks the recommender. */
export const DEMO_QUESTIONS: ReadonlyArray<{ readonly query: string; readonly phase?: string }> = [
  { query: 'review my pull request for security issues', phase: 'verification' },
  { query: 'design the database schema for the orders service', phase: 'planning' },
  { query: 'the unit tests fail after the refactor', phase: 'verification' },
  { query: 'add type hints to the python data pipeline', phase: 'implementation' },
];
