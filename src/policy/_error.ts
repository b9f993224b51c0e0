/** Turns a policy denial into the one error family (403 policy_denied, naming the rule). */
import { TallyError } from '../core/index.js';
import type { PolicyDeny } from './evaluate.js';

/** A 403 TallyError for a denial; `details.rule` names the rule, `details.param` the request field. */
export function policyError(d: PolicyDeny): TallyError {
  return new TallyError('policy_denied', `Request denied by policy: ${d.reason}`, {
    rule: d.rule,
    param: d.param,
  });
}
