import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../shared/core/errors';
import { excerpt, redactError, redactSecrets, registerSecret } from '../../../shared/core/redact';

/** Each test registers its own values: the registry lives as long as the process (here, the test file). */
describe('the process-wide secret registry', () => {
  it('masks every form of a registered secret and of user:secret', () => {
    const secret = `Reg1stry Key/+=&"\\é`;
    registerSecret(secret, 'reg-user');
    const forms = {
      raw: secret,
      'URL-encoded': encodeURIComponent(secret),
      'form-encoded': new URLSearchParams({ p: secret }).toString().slice(2),
      base64: Buffer.from(secret).toString('base64'),
      'JSON-escaped': JSON.stringify(secret).slice(1, -1),
      'Basic token': `Basic ${Buffer.from(`reg-user:${secret}`).toString('base64')}`,
      'user:secret': `reg-user:${secret}`,
    };
    for (const [name, form] of Object.entries(forms)) {
      expect(redactSecrets(`before ${form} after`), name).not.toContain(secret.slice(0, 8));
      expect(redactSecrets(`before ${form} after`), name).toMatch(/^before .*\*\*\* after$/);
    }
  });

  it('leaves text without secrets alone', () => {
    registerSecret('never-printed-value');
    expect(redactSecrets('GET https://api.example.com/v1/messagesFailed answered 500')).toBe(
      'GET https://api.example.com/v1/messagesFailed answered 500',
    );
  });

  it('redacts a thrown error in place: message, stack, string fields and the cause chain; the class stays', () => {
    registerSecret('Thr0wn-Secret-Value');
    const inner = new Error('inner said Thr0wn-Secret-Value');
    const error = new AuthenticationError('refused: Thr0wn-Secret-Value', { cause: inner });
    Object.assign(error, { body: '{"echo":"Thr0wn-Secret-Value"}' });
    const out = redactError(error);
    expect(out).toBe(error);
    expect(out).toBeInstanceOf(AuthenticationError);
    expect(out.message).toBe('refused: ***');
    expect(out.stack).not.toContain('Thr0wn');
    expect((out as unknown as { body: string }).body).toBe('{"echo":"***"}');
    expect(inner.message).toBe('inner said ***');
    expect(inner.stack).not.toContain('Thr0wn');
  });

  it('shortens an excerpt after redacting, so no head of a secret survives the cut', () => {
    registerSecret('Cut-In-Half-Secret');
    const text = `${'x'.repeat(290)}Cut-In-Half-Secret and more`;
    expect(excerpt(text)).not.toContain('Cut-In');
    expect(excerpt(text)).toBe(`${'x'.repeat(290)}*** and mo…`);
  });
});
