import { Annotations, Aspects, IAspect, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IPolicyRule, PolicyViolation } from './policy-rule';
import { DeliveryPipeline } from '../pipeline/delivery-pipeline';
import { assemblyStage, DELIVERY_POLICY_MARK, registeredPipelines } from '../private/app-registry';
import { Validator } from '../private/validation';

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
 * boundary, so each pipeline applies the policies added above its stage itself. Each pipeline is
 * built before it is checked, so an environment added afterwards is an error, never unchecked.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new DeliveryPolicy({
 *   rules: [PolicyRule.productionRequiresApproval(), PolicyRule.requireCheck(CheckKind.DEPENDENCY_AUDIT)],
 * }));
 */
export class DeliveryPolicy implements IAspect {
  private readonly rules: IPolicyRule[];
  /** The pipelines this policy has checked (each once, whichever way it reached them). */
  private readonly evaluated = new WeakSet<IConstruct>();

  constructor(props: DeliveryPolicyProps) {
    const v: Validator = new Validator('DeliveryPolicy');
    v.requireObject('props', props, 'Pass { rules: [PolicyRule.productionRequiresApproval(), ...] }.');
    v.noMisspeltFields('props', props, 'DeliveryPolicyProps');
    if (!Array.isArray(props.rules) || props.rules.length === 0) {
      v.fail('rules', 'must be a non-empty array of IPolicyRule', props.rules, 'Pass, for example, [PolicyRule.productionRequiresApproval()].');
    }
    props.rules.forEach((r, i) => {
      if (!r || typeof r.ruleId !== 'string' || r.ruleId.trim() === '' || typeof (r as any).evaluate !== 'function') {
        v.fail(`rules[${i}]`, 'must implement IPolicyRule (a non-empty ruleId and an evaluate method)', r,
          'Use a PolicyRule factory such as PolicyRule.productionRequiresApproval(), or a class that implements IPolicyRule.');
      }
    });
    this.rules = [...props.rules];
    Object.defineProperty(this, DELIVERY_POLICY_MARK, { value: true });
  }

  public visit(node: IConstruct): void {
    if (Aspects.of(node).all.includes(this)) this.checkEarlySynthesizedStages(node);
    if (!DeliveryPipeline.isDeliveryPipeline(node)) return;
    if (this.evaluated.has(node)) return;
    for (const error of this.evaluate(node)) Annotations.of(node).addError(error);
  }

  /**
   * The violations of one pipeline, as error messages naming the pipeline, the environment and the rule.
   * Builds the pipeline first: an environment added later (by another aspect) would escape the rules.
   */
  private evaluate(node: DeliveryPipeline): string[] {
    this.evaluated.add(node);
    node.buildPipeline();
    // a rule written in JavaScript may return anything: name the rule and the pipeline, not a TypeError
    const v: Validator = new Validator(node.node.path);
    const errors: string[] = [];
    this.rules.forEach((rule, i) => {
      const field = `DeliveryPolicy rules[${i}] ('${rule.ruleId}')`;
      let violations: unknown;
      try {
        // each rule reads its own copy: one that changes it (sorts the environments) must not mislead the next
        violations = rule.evaluate(node.describe());
      } catch (e) {
        // a failing rule: say which rule failed on which pipeline (an app has many of both)
        const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        v.failPlain(field, `failed while evaluating the pipeline: ${error}. Fix the rule (its evaluate method threw), or remove it from the DeliveryPolicy.`);
      }
      if (!Array.isArray(violations)) {
        v.fail(field, 'must return an array of PolicyViolation from evaluate', violations, 'Return [] when the pipeline complies, or [{ message }] for each violation.');
      }
      const environments = node.describe().environments.map(e => e.name);
      violations.forEach((violation: PolicyViolation, j) => {
        if (!violation || typeof violation.message !== 'string' || violation.message.trim() === ''
          || (violation.environment !== undefined && typeof violation.environment !== 'string')) {
          v.fail(`${field} violation [${j}]`, 'must be a PolicyViolation (a non-empty message, an optional environment name)', violation,
            "Return { message: 'what is wrong and what to do' }, with environment: '<name>' for a violation of one environment.");
        }
        // a misspelt environment would send the reader to an environment that does not exist
        if (violation.environment !== undefined && !environments.includes(violation.environment)) {
          v.fail(`${field} violation [${j}].environment`, 'names an environment the pipeline does not have', violation.environment,
            `Name one of ${environments.length > 0 ? environments.map(e => `'${e}'`).join(', ') : 'its environments (it has none)'}, or leave environment out.`);
        }
        const where = violation.environment ? `environment '${violation.environment}' ` : '';
        errors.push(`[policy ${rule.ruleId}] pipeline '${node.node.path}': ${where}${violation.message}`);
      });
    });
    return errors;
  }

  /**
   * Checks the pipelines of nested stages under `scope` (the construct this policy was added to) that this policy has not
   * checked: their stage was synthesized before the policy was added (a `DeploymentTarget.cdkStage` target synthesizes its
   * stage when its pipeline is configured, and aws-cdk-lib keeps that cloud assembly). Their violations are reported on the
   * pipeline of this scope's stage that deploys their stage, whose stack is still to be synthesized.
   */
  private checkEarlySynthesizedStages(scope: IConstruct): void {
    const here = assemblyStage(scope);
    const pipelines = registeredPipelines(scope);
    for (const entry of pipelines) {
      const inner = entry.pipeline;
      if (!DeliveryPipeline.isDeliveryPipeline(inner) || this.evaluated.has(inner)) continue;
      if (!inner.node.scopes.includes(scope) || assemblyStage(inner) === here) continue;
      const errors = this.evaluate(inner);
      if (errors.length === 0) continue;
      // the pipeline that deploys its stage, or the one that deploys the stage of that pipeline, and so on up to this scope's stage
      const chain: { pipeline: IConstruct; stage: IConstruct }[] = [];
      let current: IConstruct = inner;
      while (chain.length <= pipelines.length) {
        const scopes = new Set<IConstruct>(current.node.scopes);
        const deploying = pipelines.map(c => ({ pipeline: c.pipeline, stage: c.deployedStages().find(st => scopes.has(st)) }))
          .filter((d): d is { pipeline: IConstruct; stage: Stage } => d.stage !== undefined);
        const next = deploying.find(d => assemblyStage(d.pipeline) === here) ?? deploying[0];
        if (next === undefined) break;
        chain.push(next);
        if (assemblyStage(next.pipeline) === here) break;
        current = next.pipeline;
      }
      const deployer = chain[chain.length - 1];
      if (deployer === undefined || assemblyStage(deployer.pipeline) !== here) {
        const v: Validator = new Validator(inner.node.path);
        v.failPlain(`stage '${assemblyStage(inner)!.node.path}'`,
          `was synthesized before the DeliveryPolicy added to '${scope.node.path || '<app>'}' was added, and no pipeline there deploys it, `
          + `so the policy's violations of this pipeline cannot be reported: ${errors.join('; ')}. `
          + 'Add the DeliveryPolicy before creating the stage, or fix the violations.');
      }
      const via = chain.slice(0, -1).reverse().map(d => `, whose pipeline '${d.pipeline.node.path}' deploys stage '${d.stage.node.path}'`).join('');
      const note = ` (reported on '${deployer.pipeline.node.path}', which deploys stage '${deployer.stage.node.path}'${via}: `
        + 'a stage is synthesized when the pipeline deploying it is configured, and this one was before this DeliveryPolicy was added)';
      for (const error of errors) Annotations.of(deployer.pipeline).addError(error + note);
    }
  }
}
