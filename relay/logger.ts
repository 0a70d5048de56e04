import type { LogLevel } from './relay-options.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Structured JSON-lines logger: one object per line on stderr, filtered by level. */
export class Logger {
  constructor(private readonly level: LogLevel = 'info', private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n')) {}

  debug(msg: string, fields?: Record<string, unknown>): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Record<string, unknown>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.log('error', msg, fields); }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  private log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    this.write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }));
  }
}
