import { PlanDocument } from '../../model/plan-document';
import { factoryArgumentError, showJson } from '../../private/validation';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/**
 * Pipelines, environments and deployment targets deploy only to the listed accounts. An account
 * that is a token (unknown at synth) cannot be checked and is a violation.
 */
export class AllowedAccountsRule implements IPolicyRule {
  public readonly ruleId = 'allowed-accounts';

  constructor(private readonly accounts: string[]) {
    if (!Array.isArray(accounts) || accounts.length === 0 || accounts.some(a => typeof a !== 'string' || !/^\d{12}$/.test(a))) {
      throw factoryArgumentError('PolicyRule.allowedAccounts', 'accounts', `accounts must be one or more 12-digit account ids, got ${showJson(accounts)}. Pass ['111111111111', ...].`);
    }
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    const allowed = this.accounts.join(', ');
    const unknown = `an account that is a token, unknown at synth, so it cannot be checked against ${allowed}; pass the account id as a literal string`;
    if (pipeline.account === undefined) {
      violations.push({ message: `the pipeline's stack has no explicit account, so its account cannot be checked against ${allowed}; give the stack env: { account }` });
    } else if (!this.accounts.includes(pipeline.account)) {
      violations.push({ message: `the pipeline is in account ${pipeline.account}, which is not one of ${allowed}; create the pipeline's stack in one of them` });
    }
    for (const e of pipeline.environments) {
      const account = e.account ?? pipeline.account;
      if (e.accountUnresolved) {
        violations.push({ environment: e.name, message: `deploys to ${unknown}` });
      } else if (account !== undefined && !this.accounts.includes(account)) {
        violations.push({ environment: e.name, message: `deploys to account ${account}, which is not one of ${allowed}; deploy to one of them` });
      }
      for (const d of e.deployments) {
        if (d.accountUnresolved) {
          violations.push({ environment: e.name, message: `'${d.name}' deploys to ${unknown}` });
        } else if (d.account !== undefined && !this.accounts.includes(d.account)) {
          violations.push({ environment: e.name, message: `'${d.name}' deploys to account ${d.account}, which is not one of ${allowed}; deploy to one of them` });
        }
      }
    }
    return violations;
  }
}
