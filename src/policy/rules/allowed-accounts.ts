import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Pipelines and environments deploy only to the listed accounts. */
export class AllowedAccountsRule implements IPolicyRule {
  public readonly ruleId = 'allowed-accounts';

  constructor(private readonly accounts: string[]) {
    if (!Array.isArray(accounts) || accounts.length === 0 || accounts.some(a => typeof a !== 'string' || !/^\d{12}$/.test(a))) {
      throw new Error(`PolicyRule.allowedAccounts: accounts must be one or more 12-digit account ids, got ${JSON.stringify(accounts)}. Pass ['111111111111', ...].`);
    }
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    const allowed = this.accounts.join(', ');
    if (pipeline.account === undefined) {
      violations.push({ message: `the pipeline's stack has no explicit account, so its account cannot be checked against ${allowed}; give the stack env: { account }` });
    } else if (!this.accounts.includes(pipeline.account)) {
      violations.push({ message: `the pipeline is in account ${pipeline.account}, which is not one of ${allowed}` });
    }
    for (const e of pipeline.environments) {
      const account = e.account ?? pipeline.account;
      if (account !== undefined && !this.accounts.includes(account)) {
        violations.push({ environment: e.name, message: `deploys to account ${account}, which is not one of ${allowed}` });
      }
    }
    return violations;
  }
}
