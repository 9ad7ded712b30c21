import { Annotations, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IPolicyRule } from './policy-rule';
import { DeliveryPipeline } from '../pipeline/delivery-pipeline';
import { DELIVERY_POLICY_MARK } from '../private/app-registry';

/** Properties of a DeliveryPolicy. */
export interface DeliveryPolicyProps {
  /** The rules every DeliveryPipeline must comply with. */
  readonly rules: IPolicyRule[];
}

/**
 * An aspect for platform teams: checks every DeliveryPipeline under the scope it is added to and
 * reports each violation as an error annotation on the pipeline, naming the pipeline, the
 * environment and the rule. `cdk synth` and `cdk deploy` stop on such errors.
 *
 * Pipelines in nested stages are checked too: aws-cdk-lib does not carry an aspect across a `Stage`
 * boundary, so each pipeline applies the policies added above its stage itself.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new DeliveryPolicy({
 *   rules: [PolicyRule.productionRequiresApproval(), PolicyRule.requireCheck(CheckKind.DEPENDENCY_AUDIT)],
 * }));
 */
export class DeliveryPolicy implements IAspect {
  private readonly rules: IPolicyRule[];

  constructor(props: DeliveryPolicyProps) {
    if (!props || !Array.isArray(props.rules) || props.rules.length === 0) {
      throw new Error('DeliveryPolicy: rules must be a non-empty array of IPolicyRule, for example [PolicyRule.productionRequiresApproval()].');
    }
    props.rules.forEach((r, i) => {
      if (!r || typeof r.ruleId !== 'string' || typeof (r as any).evaluate !== 'function') {
        throw new Error(`DeliveryPolicy: rules[${i}] must implement IPolicyRule (a ruleId and an evaluate method), got ${typeof r}.`);
      }
    });
    this.rules = [...props.rules];
    Object.defineProperty(this, DELIVERY_POLICY_MARK, { value: true });
  }

  public visit(node: IConstruct): void {
    if (!DeliveryPipeline.isDeliveryPipeline(node)) return;
    const description = node.describe();
    for (const rule of this.rules) {
      for (const violation of rule.evaluate(description)) {
        const where = violation.environment ? `environment '${violation.environment}' ` : '';
        Annotations.of(node).addError(`[policy ${rule.ruleId}] pipeline '${node.node.path}': ${where}${violation.message}`);
      }
    }
  }
}
