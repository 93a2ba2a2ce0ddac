import { randomUUID } from 'node:crypto';
import { LoopbackServer } from '../../shared/sandbox/loopback-server';
import { readBody } from './http';

/**
 * A tiny SNS on loopback speaking the service's Query protocol, so the real SNSClient runs in tests: a form-encoded
 * POST with `Action=Publish&TopicArn=…&Subject=…&Message=…`, answered with the documented PublishResponse XML
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). Signatures are not checked; other actions get the
 * service's 400 InvalidAction.
 */
export interface LocalSns {
  readonly endpoint: string;
  /** Every Publish received, as its form fields. */
  readonly published: readonly Record<string, string>[];
  /** While true, every Publish is answered 500 InternalFailure (and not recorded): SNS having a bad moment. */
  failing: boolean;
  close(): Promise<void>;
}

export async function startLocalSns(): Promise<LocalSns> {
  const published: Record<string, string>[] = [];
  const sns = { failing: false };
  const server = new LoopbackServer();
  const endpoint = await server.listen(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    res.setHeader('content-type', 'text/xml');
    if (req.method !== 'POST' || form.Action !== 'Publish') {
      res.statusCode = 400;
      res.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not supported by this fake</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    if (sns.failing) {
      res.statusCode = 500;
      res.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>the fake is failing</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    published.push(form);
    res.end(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  });
  return Object.assign(sns, { endpoint, published, close: () => server.close() });
}
