import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every production environment watches alarms for at least a bake time after it deploys. */
export class MinimumBakeTimeRule implements IPolicyRule {
  public readonly ruleId: string;

  constructor(private readonly minutes: number) {
    this.ruleId = `minimum-bake-time:${minutes}m`;
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    const fix = `Verification.alarms(alarms, { bakeTime: Duration.minutes(${this.minutes}) })`;
    const out: PolicyViolation[] = [];
    for (const e of pipeline.environments.filter(x => x.production)) {
      const bakes = e.gates.filter(g => g.kind === 'bake-alarms').map(g => g.bakeMinutes ?? 0);
      if (bakes.length === 0) {
        out.push({ environment: e.name, message: `production watches no alarms after deploying, but needs a bake time of at least ${this.minutes} minutes; add ${fix}` });
      } else if (Math.min(...bakes) < this.minutes) {
        // every alarm gate counts: an alarm watched for a minute does not catch a slow failure
        const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;
        const what = bakes.length > 1 ? `some of its alarms for only ${minutes(Math.min(...bakes))}` : `its alarms for ${minutes(bakes[0])}`;
        out.push({
          environment: e.name,
          message: `production watches ${what} after deploying, less than the ${this.minutes} required; use ${fix}`,
        });
      }
    }
    return out;
  }
}
