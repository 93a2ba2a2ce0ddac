import { type Redactor, redactSecrets } from './core/redact';

/** The narrow logger domain code takes; the doors decide the output (plain lines, JSON lines, nothing). */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

/**
 * A logger writing one redacted line per message; JSON lines for Lambda/CloudWatch, plain text for people. Every line
 * passes the process's secret registry (and `redact`, for values not registered).
 */
export function createLogger(opts: { redact?: Redactor; json: boolean; write?: (line: string) => void }): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: Level, message: string, data?: Record<string, unknown>) => {
    const line = opts.json
      ? JSON.stringify({ level, time: new Date().toISOString(), message, ...data })
      : `${level === 'info' ? '' : `${level.toUpperCase()}: `}${message}${data ? ` ${JSON.stringify(data)}` : ''}`;
    write(redactSecrets(opts.redact ? opts.redact(line) : line));
  };
  return {
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}

/** A logger that drops everything (tests that assert on results, not on logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
