import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cdkJsonContext, type DeploymentConfig, exampleDeploymentConfig } from '../../infra/config';
import { InboxlakeStack } from '../../infra/stack';

// biome-ignore lint/suspicious/noExplicitAny: template JSON is read field by field and checked with expect().
export type Json = any;

/**
 * Synthesizes the stack in-process as the CDK CLI would (cdk.json's feature flags, cdk-nag's AWS Solutions checks),
 * but without bundling the handlers (the CLI synth test bundles them) and without CDK's built-in CloudFormation
 * schema validation (≈ 10 s of WebAssembly; the CLI synth test runs it): a few seconds per synth.
 */
export interface Synthesized {
  readonly app: App;
  readonly stack: InboxlakeStack;
  readonly template: Template;
  /** The raw template, for walks over every resource. */
  readonly json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  readonly config: DeploymentConfig;
}

export function synthesize(config: DeploymentConfig = exampleDeploymentConfig()): Synthesized {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'inboxlake-cdk-')),
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new InboxlakeStack(app, 'Inboxlake', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // In-process synthesis throws when a validation plugin (cdk-nag) reports an unacknowledged error.
  app.synth();
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as Synthesized['json'], config };
}

let example: Synthesized | undefined;

/** The example config's stack, synthesized once per test file. */
export function exampleStack(): Synthesized {
  example ??= synthesize();
  return example;
}

/** Resources of a type, by logical id. */
export function resourcesOf(s: Synthesized, type: string): [string, Record<string, unknown>][] {
  return Object.entries(s.json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** The value of a tag in a CloudFormation Tags list. */
export function tagValue(props: Record<string, unknown>, key: string): string | undefined {
  return (props.Tags as { Key: string; Value: string }[] | undefined)?.find((t) => t.Key === key)?.Value;
}
