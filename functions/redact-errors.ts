import type middy from '@middy/core';
import { redactError } from '../shared/core/redact';

/**
 * A handler's failure leaves the process as a thrown error: Lambda writes its message and stack to CloudWatch, and
 * they travel on into the Step Functions history and the dead-letter queue. This middleware is that exit: the error
 * is rethrown with every registered secret masked in its message, stack and cause chain, keeping its class.
 */
export function redactErrors(): middy.MiddlewareObj {
  return {
    onError: (request) => {
      request.error = redactError(request.error);
    },
  };
}
