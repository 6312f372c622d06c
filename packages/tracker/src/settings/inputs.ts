/**
 * What the settings are made of, besides explicit options: these files under the project folder
 * and the environment variables with these prefixes. A module of its own, importing nothing, so
 * that a process which only needs to know whether the settings may have changed (the Claude Code
 * hook's settings cache) does not load the YAML reader and the schemas.
 */
export const SETTINGS_FILES = ['settings/skills.yaml', 'settings/local.yaml'] as const;
export const ENV_PREFIXES = ['SKILLS_', 'CRACKERJACK_SKILLS_'] as const;
