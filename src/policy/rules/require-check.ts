import { PlanDocument } from '../../model/plan-document';
import { factoryArgumentError, showJson } from '../../private/validation';
import type { IPolicyRule, PolicyViolation } from '../policy-rule';

const FACTORY: Record<string, string> = {
  'dependency-audit': 'QualityCheck.dependencyAudit()',
  'inspector-source-scan': 'QualityCheck.sourceCodeScan()',
  'inspector-image-scan': 'QualityCheck.imageScan(repository)',
  'commands': 'QualityCheck.commands(...)',
};

/** Every pipeline runs a quality check of a given kind. */
export class RequireCheckRule implements IPolicyRule {
  public readonly ruleId: string;

  constructor(private readonly kind: string) {
    if (!Object.keys(FACTORY).includes(kind)) {
      throw factoryArgumentError('PolicyRule.requireCheck', 'kind', `kind must be a CheckKind, got ${showJson(kind)}. Use CheckKind.DEPENDENCY_AUDIT, SOURCE_CODE_SCAN, IMAGE_SCAN or COMMANDS.`);
    }
    this.ruleId = `require-check:${kind}`;
  }

  public evaluate(pipeline: PlanDocument): PolicyViolation[] {
    if (pipeline.checks.some(c => c.kind === this.kind)) return [];
    const have = pipeline.checks.map(c => c.kind);
    return [{
      message: `the pipeline runs no ${this.kind} check (its checks: ${have.length ? have.join(', ') : 'none'}); add ${FACTORY[this.kind] ?? `a ${this.kind} check`} to checks`,
    }];
  }
}
