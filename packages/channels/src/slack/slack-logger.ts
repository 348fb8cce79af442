import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const format = (msg: unknown[]): string =>
  msg.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');

/**
 * Bolt's and the Socket Mode client's logger, writing to pino: their chatty `info` lines
 * (connected, reconnecting) go to debug; warnings and errors stay what they are.
 */
export function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...msg) => logger.debug(format(msg)),
    info: (...msg) => logger.debug(format(msg)),
    warn: (...msg) => logger.warn(format(msg)),
    error: (...msg) => logger.error(format(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
