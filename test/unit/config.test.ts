import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../shared/app/secrets';
import { loadDigestConfig, loadLakeConfig } from '../../shared/config';
import { ConfigError } from '../../shared/core/errors';
import { redactSecrets } from '../../shared/core/redact';
import { loadSendSageConfig } from '../../shared/sources/sendsage/config';
import { socketlabsCommand } from '../../shared/sources/socketlabs-common/command';
import { loadSocketLabsConfig } from '../../shared/sources/socketlabs-common/config';

const socketlabs = {
  SOCKETLABS_API_URL: 'https://api.socketlabs.com/v1',
  SOCKETLABS_USERNAME: 'cfg-user',
  SOCKETLABS_API_KEY: 'cfg-Key-1234',
  SOCKETLABS_SERVER_IDS: '1',
};
const sendsage = { SENDSAGE_USERNAME: 'cfg-user', SENDSAGE_PASSWORD: 'cfg-Password-5678' };

function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration that can never work is refused at start, naming the variable, never the value', () => {
  it.each([
    ['SOCKETLABS_API_URL', 'https://cfg-user:Url-Secret-1@api.socketlabs.com/v1', 'must not carry user:password@'],
    ['SOCKETLABS_API_URL', 'ftp://api.socketlabs.com/v1', 'must be an http:// or https:// URL'],
    ['SOCKETLABS_API_URL', 'file:///etc/v1', 'must be an http:// or https:// URL'],
    ['SOCKETLABS_API_KEY', 'Key-Outside-\u20ac-Latin1', 'contains a character outside Latin-1'],
    ['SOCKETLABS_API_KEY', 'Key-With-\u0007-Bell', 'contains a control character'],
    ['SOCKETLABS_API_KEY', 'Key-With-\n-Newline', 'contains a control character'],
    ['SOCKETLABS_USERNAME', 'user\tname', 'contains a control character'],
  ])('%s = %j', (variable, value, problem) => {
    const error = refusal(() => loadSocketLabsConfig({ ...socketlabs, [variable]: value }));
    expect(error.message).toContain(`${variable} ${problem}`);
    expect(error.message).not.toContain(value);
  });

  it.each([
    ['SENDSAGE_API_URL', 'https://cfg-user:Url-Secret-2@monitor.drh.net/api.php', 'must not carry user:password@'],
    ['SENDSAGE_API_URL', 'gopher://monitor.drh.net/api.php', 'must be an http:// or https:// URL'],
    ['SENDSAGE_PASSWORD', 'Password-With-\r\n-CRLF', 'contains a control character'],
  ])('%s = %j', (variable, value, problem) => {
    const error = refusal(() => loadSendSageConfig({ ...sendsage, [variable]: value }));
    expect(error.message).toContain(`${variable} ${problem}`);
    expect(error.message).not.toContain(value);
  });

  it('accepts what the APIs accept: a Latin-1 key (é), any printable password (€, spaces)', () => {
    expect(loadSocketLabsConfig({ ...socketlabs, SOCKETLABS_API_KEY: 'Kéy-Latin1' }).apiKey).toBe('Kéy-Latin1');
    expect(loadSendSageConfig({ ...sendsage, SENDSAGE_PASSWORD: ' p€ss word ' }).password).toBe(' p€ss word ');
  });

  it('refuses a key read from a secret the same way, naming the secret field', async () => {
    const read = async () => JSON.stringify({ apiKey: 'Secret-\u20ac-Key', username: 'cfg-user' });
    const env = { ...socketlabs, SOCKETLABS_API_KEY: undefined, SOCKETLABS_SECRET_ARN: 'arn:aws:secretsmanager:x' };
    const error = (await loadRuntimeConfig(socketlabsCommand, env, read).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/SOCKETLABS_API_KEY contains a character outside Latin-1.*field "apiKey"/);
    expect(error.message).not.toContain('Secret-');
  });

  it('INBOXLAKE_LAKE without a bucket and an unknown INBOXLAKE_TIMEZONE are configuration errors', () => {
    expect(refusal(() => loadLakeConfig({ INBOXLAKE_LAKE: 's3://' })).message).toMatch(/INBOXLAKE_LAKE .*bucket/);
    expect(refusal(() => loadLakeConfig({ INBOXLAKE_LAKE: 'ftp://host/lake' })).message).toMatch(/INBOXLAKE_LAKE/);
    expect(refusal(() => loadDigestConfig({ INBOXLAKE_TIMEZONE: 'Mars/Base' })).message).toMatch(
      /INBOXLAKE_TIMEZONE must be an IANA time zone/,
    );
  });

  it('reading credentials registers them with the redactor, the Basic token included', () => {
    loadSocketLabsConfig({ ...socketlabs, SOCKETLABS_API_KEY: 'Registered-On-Read' });
    const basic = Buffer.from('cfg-user:Registered-On-Read').toString('base64');
    expect(redactSecrets(`Authorization: Basic ${basic}; key Registered-On-Read`)).toBe(
      'Authorization: Basic ***; key ***',
    );
    loadSendSageConfig({ ...sendsage, SENDSAGE_PASSWORD: 'Form Encoded+Pass' });
    expect(redactSecrets('password=Form+Encoded%2BPass&x=1')).not.toContain('Encoded');
    expect(redactSecrets('said: Form Encoded+Pass')).toBe('said: ***');
  });
});
