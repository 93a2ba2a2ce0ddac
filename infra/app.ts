import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEY, DeploymentConfigError, parseDeploymentConfig } from './config';
import { InboxlakeStack } from './stack';

/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`): reads the `inboxlake` context, validates it, builds the stack and
 * runs cdk-nag's AWS Solutions checks on it during synthesis (an unacknowledged error fails the synth).
 */
const app = new App();

let config: ReturnType<typeof parseDeploymentConfig>;
try {
  config = parseDeploymentConfig(app.node.tryGetContext(CONTEXT_KEY));
} catch (error) {
  if (!(error instanceof DeploymentConfigError)) throw error;
  // A config mistake is the operator's to fix: say what and where, without a stack trace.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

new InboxlakeStack(app, 'Inboxlake', {
  config,
  description: 'inboxlake: SocketLabs and SendSage reporting data in an Athena lake, with a daily digest',
  // Account and region of the CLI's credentials when there are any; without them (CI) the stack is env-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
