import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEY, cdkJsonContext, DeploymentConfigError, parseDeploymentConfig } from '../../infra/config';
import { alertReadPrefixes } from '../../infra/constructs/alerts';
import { ALERTS_STATE_PREFIX, ROLLUPS_PREFIX, tableAreaPrefix } from '../../shared/lake/layout';
import { sendsageCampaigns, sendsageIspResults } from '../../shared/sources/sendsage/tables';
import { exampleStack, type Json, resourcesOf, type Synthesized, synthesize } from './synth';

const example = () => cdkJsonContext()[CONTEXT_KEY] as Record<string, unknown>;

describe('the alerts topic and function', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = exampleStack();
  });

  const topicId = () => s.stack.getLogicalId(s.stack.alerts.topic.node.defaultChild as never);

  it('the topic is encrypted with the AWS-managed SNS key and refuses requests without TLS', () => {
    const props = (s.json.Resources[topicId()] as Json).Properties;
    expect(props.DisplayName).toBe('inboxlake alerts');
    // The alias's ARN in this account and region (SNS takes an alias ARN as the key id).
    expect(JSON.stringify(props.KmsMasterKeyId)).toContain(':alias/aws/sns');
    const policies = resourcesOf(s, 'AWS::SNS::TopicPolicy').filter(([, p]) =>
      JSON.stringify(p.Topics).includes(topicId()),
    );
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0]![1].PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it("mails the config's alert addresses and names the topic in an output", () => {
    const subs = resourcesOf(s, 'AWS::SNS::Subscription').filter(([, p]) => (p.TopicArn as Json).Ref === topicId());
    expect(subs.map(([, p]) => [p.Protocol, p.Endpoint])).toEqual(
      s.config.alerts.emails.map((address) => ['email', address]),
    );
    s.template.hasOutput('AlertTopic', { Value: { Ref: topicId() } });
  });

  it('the function gets the topic, no webhook unless configured, and parks failed evaluations in the DLQ', () => {
    const fnId = s.stack.getLogicalId(s.stack.alerts.function.fn.node.defaultChild as never);
    const vars = (s.json.Resources[fnId] as Json).Properties.Environment.Variables;
    expect(vars.INBOXLAKE_ALERT_TOPIC_ARN).toEqual({ Ref: topicId() });
    expect(vars.INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN).toBeUndefined();
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 1,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
      },
    });
  });

  it('every collector loop invokes it when caught up', () => {
    const fnId = s.stack.getLogicalId(s.stack.alerts.function.fn.node.defaultChild as never);
    const machines = resourcesOf(s, 'AWS::StepFunctions::StateMachine');
    expect(machines.length).toBe(3);
    for (const [, p] of machines) expect(JSON.stringify(p.DefinitionString)).toContain(fnId);
  });

  it('reads the rollups and the SendSage campaign and per-provider rows only, never SocketLabs rows', () => {
    const prefixes = alertReadPrefixes();
    const rows = prefixes.filter((p) => !p.startsWith(ROLLUPS_PREFIX));
    expect(prefixes.length).toBeGreaterThan(rows.length);
    expect(rows.sort()).toEqual(
      [tableAreaPrefix('data', sendsageCampaigns.name), tableAreaPrefix('data', sendsageIspResults.name)].sort(),
    );
    expect(prefixes).not.toContain(ALERTS_STATE_PREFIX);
  });
});

describe('alerts config', () => {
  it('a webhook secret, its kind and several addresses: synthesized with the secret and the kind, nag clean', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:inboxlake/webhook-Ab12Cd';
    const other = synthesize(
      parseDeploymentConfig({
        ...example(),
        alerts: { emails: ['a@example.com', 'b@example.com'], webhookSecretArn: arn, webhookKind: 'teams' },
      }),
    );
    const fnId = other.stack.getLogicalId(other.stack.alerts.function.fn.node.defaultChild as never);
    expect((other.json.Resources[fnId] as Json).Properties.Environment.Variables).toMatchObject({
      INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN: arn,
      INBOXLAKE_ALERT_WEBHOOK_KIND: 'teams',
    });
    expect(resourcesOf(other, 'AWS::SNS::Subscription').map(([, p]) => p.Endpoint)).toEqual(
      expect.arrayContaining(['a@example.com', 'b@example.com']),
    );
  });

  it("passes its thresholds to the function, and the digest's inbox thresholds for the placement alerts", () => {
    const other = synthesize(
      parseDeploymentConfig({
        ...example(),
        alerts: { thresholds: { alpha: 1e-5, blockMinCount: 30 } },
        digest: { ...(example().digest as object), thresholds: { inboxWarn: 75 } },
      }),
    );
    const fnId = other.stack.getLogicalId(other.stack.alerts.function.fn.node.defaultChild as never);
    const vars = (other.json.Resources[fnId] as Json).Properties.Environment.Variables;
    expect(JSON.parse(vars.INBOXLAKE_ALERT_THRESHOLDS)).toEqual({ alpha: 1e-5, blockMinCount: 30 });
    expect(vars.INBOXLAKE_INBOX_WARN).toBe('75');
  });

  it.each([
    ['a partial ARN (no suffix)', { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hook' }],
    ['a URL in place of the ARN', { webhookSecretArn: 'https://hooks.slack.com/services/T/B/x' }],
    ['an unknown kind', { webhookKind: 'discord' }],
    ['a bad address', { emails: ['not-an-address'] }],
    ['a misspelt threshold', { thresholds: { alpah: 1e-5 } }],
    ['a threshold out of bounds', { thresholds: { alpha: 2 } }],
  ])('refuses %s, naming the field', (_, alerts) => {
    expect(() => parseDeploymentConfig({ ...example(), alerts })).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig({ ...example(), alerts })).toThrow(/inboxlake\.alerts\./);
  });
});
