#!/usr/bin/env node
import { consoleLogger, SettingsError, SkillsError } from '@skills/protocol';
import { resolveConfig, USAGE, UsageError, type ServerConfig } from './config.js';
import { ListenError } from './http.js';
import { startSkillsServer, startStdioServer } from './server.js';

const NAME = 'skills-server';

function fail(message: string, code: number): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(code);
}

/** Runs until SIGINT/SIGTERM (HTTP) or until the host closes stdin (stdio); then stops gracefully. */
async function main(argv: readonly string[]): Promise<void> {
  let config: ServerConfig;
  try {
    config = resolveConfig(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message}\n${USAGE.split('\n')[0]}`, 2);
    if (error instanceof SettingsError) fail(error.message, 2);
    throw error;
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const logger = consoleLogger; // stderr only: in stdio mode stdout carries MCP messages.
  for (const warning of config.warnings) logger.warn(warning);
  let stop: () => Promise<void>;
  let finished: Promise<void>;
  try {
    if (config.stdio) {
      const server = await startStdioServer({ settings: config.settings, logger });
      logger.info(`${NAME} ${server.app.version} serving MCP over stdio (database ${server.app.service.location})`);
      stop = () => server.close();
      finished = server.done.then(() => server.close());
    } else {
      const server = await startSkillsServer({
        settings: config.settings,
        host: config.host,
        port: config.port,
        logger,
        tokens: config.tokens,
        allowedHosts: config.allowedHosts,
        maxBodyBytes: config.maxBodyBytes,
      });
      process.stdout.write(
        `${NAME} ${server.app.version} listening on ${server.url}/mcp, dashboard on ${server.url}/ (database ${server.app.service.location})\n`,
      );
      stop = () => server.close();
      finished = new Promise(() => {}); // until a signal
    }
  } catch (error) {
    if (error instanceof ListenError) fail(error.message, 1);
    if (error instanceof SkillsError) fail(error.message, 1);
    fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`, 1);
  }

  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${NAME}: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    logger.info(`${signal}: finishing requests in flight, then closing the database`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`could not stop cleanly: ${(error as Error).message}`, 1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by `skills serve` (an IPC channel to it): when that process ends, even by SIGKILL,
  // which it cannot pass on, stop as on SIGTERM rather than hold the port and the store as an orphan.
  if (process.channel) {
    process.once('disconnect', () => {
      if (!stopping) onSignal('the `skills serve` that started the server ended');
    });
    process.channel.unref();
  }
  await finished;
  process.exit(0);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error), 1));
