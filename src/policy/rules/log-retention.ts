import * as logs from 'aws-cdk-lib/aws-logs';
import { PlanDocument } from '../../model/plan-document';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

/** Every pipeline keeps its CodeBuild logs at least `minimum` days and at most `maximum` days. */
export class LogRetentionRule implements IPolicyRule {
  public readonly ruleId: string;

  constructor(private readonly minimum: number | undefined, private readonly maximum: number | undefined) {
    const bound = (d: number | undefined) => (d === logs.RetentionDays.INFINITE ? 'forever' : `${d}d`);
    this.ruleId = ['log-retention', minimum !== undefined ? `min=${bound(minimum)}` : undefined, maximum !== undefined ? `max=${bound(maximum)}` : undefined]
      .filter(x => x !== undefined).join(':');
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    // undefined: the logs never expire
    const days = pipeline.logRetentionDays;
    const kept = days === undefined ? 'keeps its CodeBuild logs forever' : `keeps its CodeBuild logs ${days} days`;
    const fix = (d: number) => `set logRetention: logs.RetentionDays.${retentionName(d)} on the pipeline, or in DeliveryDefaults when the pipeline sets none (its own value comes first)`;
    if (this.minimum === logs.RetentionDays.INFINITE && days !== undefined) {
      return [{ message: `${kept}, but they must never expire; ${fix(logs.RetentionDays.INFINITE)}` }];
    }
    if (this.minimum !== undefined && days !== undefined && days < this.minimum) {
      return [{ message: `${kept}, less than the ${this.minimum} days required; ${fix(this.minimum)}` }];
    }
    if (this.maximum !== undefined && this.maximum !== logs.RetentionDays.INFINITE && (days === undefined || days > this.maximum)) {
      return [{ message: `${kept}, longer than the ${this.maximum} days allowed; ${fix(this.maximum)}` }];
    }
    return [];
  }
}

/** The RetentionDays member of a number of days, e.g. `ONE_YEAR` for 365. */
export function retentionName(days: number): string {
  const entry = Object.entries(logs.RetentionDays).find(([name, value]) => value === days && Number.isNaN(Number(name)));
  return entry ? entry[0] : String(days);
}
