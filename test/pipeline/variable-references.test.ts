import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { BuildStep, DeploymentTarget, PipelineSource, QualityCheck, Verification } from '../../src';
import { action, CONNECTION_ARN, env, errorOf, newStack, pipelineIn } from '../util';

/*
 * CodePipeline variables read by the rendered actions: a namespace no action before the reader sets
 * is refused at synth (CodePipeline would refuse the pipeline when CloudFormation updates it).
 */

function synthError(extra: Parameters<typeof pipelineIn>[1]): string {
  const stack = newStack();
  pipelineIn(stack, extra);
  return errorOf(() => (stack.node.root as any).synth());
}

/** A deployment whose CodeBuild action sets the variables namespace `Release`. */
function releaseNotes(): DeploymentTarget {
  return DeploymentTarget.fromActionFactory('Notes', {
    produceAction: (scope, o) => new actions.CodeBuildAction({
      actionName: o.actionName,
      runOrder: o.runOrder,
      input: o.sourceArtifact,
      variablesNamespace: 'Release',
      project: new codebuild.PipelineProject(scope, 'NotesProject'),
    }),
  });
}

describe('variable references', () => {
  test('a namespace no action sets is refused, naming the action, the stage and the namespaces it can read', () => {
    expect(synthError({ buildStep: BuildStep.commands({ commands: ['make'], environmentVariables: { COMMIT: '#{SourceVariable.CommitId}' } }) })).toContain(
      "'PipelineStack/Shop': the action 'Build' of stage 'Build' reads #{SourceVariable.CommitId} in its EnvironmentVariables, "
      + "but no action of the pipeline has the variables namespace 'SourceVariable', so CodePipeline would refuse the pipeline. "
      + 'Read a namespace of an action that runs before it (codepipeline, SourceVariables), or pass a literal value.');
  });

  test('a namespace set by an action that runs later is refused', () => {
    expect(synthError({
      environments: [
        env('staging', { deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], { environmentVariables: { NOTES: '#{Release.NOTES}' } })] }),
        { name: 'prod', deployments: [releaseNotes()] },
      ],
    })).toContain("'PipelineStack/Shop': the action 'Deploy' of stage 'staging' reads #{Release.NOTES} in its EnvironmentVariables, "
      + "but the action 'Notes' of stage 'prod', which sets the namespace 'Release', does not run before it, so CodePipeline would refuse the pipeline. "
      + 'Read a namespace of an action that runs before it (codepipeline, SourceVariables), or pass a literal value.');
  });

  test('a variable the source kind does not set is refused, for the pipeline source and an additional source', () => {
    expect(synthError({ checks: [QualityCheck.commands('Lint', ['make lint'], { environmentVariables: { SHA: '#{SourceVariables.CommitID}' } })] })).toContain(
      "'PipelineStack/Shop': the action 'Lint' of stage 'Checks' reads #{SourceVariables.CommitID} in its EnvironmentVariables, "
      + "a variable that the GitHub source (action 'Source' of stage 'Source') does not set "
      + '(it sets AuthorDate, BranchName, CommitId, CommitMessage, ConnectionArn, FullRepositoryName), so the action would fail when it runs. '
      + 'Read one of its variables, for example #{SourceVariables.CommitId}, or pass a literal value.');
    const config = { name: 'Config', source: PipelineSource.gitHub({ repository: 'acme/config', branch: 'main', connectionArn: CONNECTION_ARN }) };
    expect(synthError({
      additionalSources: [config],
      buildStep: BuildStep.commands({ commands: ['make'], environmentVariables: { CONFIG: '#{SourceVariables_Config.VersionId}' } }),
    })).toContain("reads #{SourceVariables_Config.VersionId} in its EnvironmentVariables, a variable that the GitHub source (action 'Config' of stage 'Source') does not set");
  });

  test('variables of the source, of an earlier action and of CodePipeline synthesize, passed by the action', () => {
    const stack = newStack();
    pipelineIn(stack, {
      buildStep: BuildStep.commands({ commands: ['make'], environmentVariables: { BRANCH: '#{SourceVariables.BranchName}', RUN: '#{codepipeline.PipelineExecutionId}' } }),
      environments: [
        { name: 'staging', deployments: [releaseNotes()] },
        env('prod', { deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], { environmentVariables: { NOTES: '#{Release.NOTES}' } })] }),
      ],
    });
    (stack.node.root as any).synth();
    expect(JSON.parse(action(stack, 'Build', 'Build').Configuration.EnvironmentVariables)).toEqual([
      { name: 'BRANCH', type: 'PLAINTEXT', value: '#{SourceVariables.BranchName}' },
      { name: 'RUN', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
    ]);
    expect(JSON.parse(action(stack, 'prod', 'Deploy').Configuration.EnvironmentVariables)).toEqual([
      { name: 'NOTES', type: 'PLAINTEXT', value: '#{Release.NOTES}' },
    ]);
  });

  test("a test reads the variables of its environment's deployments, which run before it", () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [env('staging', {
        deployments: [releaseNotes()],
        verification: [Verification.commands('Smoke', ['./smoke.sh'], { environmentVariables: { NOTES: '#{Release.NOTES}' } })],
      })],
    });
    (stack.node.root as any).synth();
    expect(action(stack, 'staging', 'Smoke').RunOrder).toBeGreaterThan(action(stack, 'staging', 'Notes').RunOrder);
  });

  test('two deployments of one run order cannot read each other\'s variables', () => {
    expect(synthError({
      environments: [env('staging', {
        deployments: [releaseNotes(), DeploymentTarget.commands('Deploy', ['./deploy.sh'], { environmentVariables: { NOTES: '#{Release.NOTES}' } })],
      })],
    })).toContain("the action 'Deploy' of stage 'staging' reads #{Release.NOTES} in its EnvironmentVariables, but the action 'Notes' of stage 'staging', "
      + "which sets the namespace 'Release', does not run before it");
  });

  test('pipeline-level variables: one declared by addVariable or by a property override is taken, an undeclared one refused', () => {
    const declared = (declare: (p: codepipeline.Pipeline) => void) => {
      const stack = newStack();
      const delivery = pipelineIn(stack, { buildStep: BuildStep.commands({ commands: ['make'], environmentVariables: { STAGE: '#{variables.Stage}' } }) });
      delivery.buildPipeline();
      declare(delivery.pipeline);
      return errorOrNone(() => (stack.node.root as any).synth());
    };
    expect(declared(p => p.addVariable(new codepipeline.Variable({ variableName: 'Stage', defaultValue: 'x' })))).toBe('');
    expect(declared(p => (p.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Variables', [{ Name: 'Stage', DefaultValue: 'x' }]))).toBe('');
    expect(declared(() => undefined)).toContain(
      "reads #{variables.Stage} in its EnvironmentVariables, but the pipeline declares no pipeline-level variable 'Stage'. Declare it in the pipeline's variables, or pass a literal value.");
  });

  test('a factory action with the namespace of the source action is refused, naming both actions (regression: CodePipeline refused it at deploy)', () => {
    const stack = newStack();
    const project = new codebuild.PipelineProject(stack, 'Project');
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.fromActionFactory('Notes', {
          produceAction: (_scope, o) => new actions.CodeBuildAction({
            actionName: o.actionName, runOrder: o.runOrder, input: o.buildArtifact, project, variablesNamespace: 'SourceVariables',
          }),
        })],
      }],
    });
    expect(errorOf(() => (stack.node.root as any).synth())).toContain(
      "'PipelineStack/Shop': the action 'Source' of stage 'Source' and the action 'Notes' of stage 'staging' both have the variables namespace "
      + '\'SourceVariables\', but CodePipeline refuses a pipeline whose namespaces are not unique ("Namespaces must be unique across the pipeline definition"). '
      + "Give one of them another variablesNamespace, not one the library's own actions use (SourceVariables, SourceVariables_<name> for an additional source, "
      + '<environment>@<stack> for a stack whose outputs a test reads), or none when nothing reads its variables.');
  });

  test('two factory actions of different environments with one namespace are refused; distinct namespaces synthesize', () => {
    const withNamespaces = (first: string, second: string) => {
      const stack = newStack();
      const project = new codebuild.PipelineProject(stack, 'Project');
      const target = (name: string, variablesNamespace: string) => DeploymentTarget.fromActionFactory(name, {
        produceAction: (_scope, o) => new actions.CodeBuildAction({
          actionName: o.actionName, runOrder: o.runOrder, input: o.buildArtifact, project, variablesNamespace,
        }),
      });
      pipelineIn(stack, { environments: [{ name: 'staging', deployments: [target('X', first)] }, { name: 'prod', deployments: [target('Y', second)] }] });
      return errorOrNone(() => (stack.node.root as any).synth());
    };
    const error = withNamespaces('NS', 'NS');
    expect(error).toContain("'PipelineStack/Shop': the action 'X' of stage 'staging' and the action 'Y' of stage 'prod' both have the variables namespace 'NS', "
      + 'but CodePipeline refuses a pipeline whose namespaces are not unique');
    expect(error.match(/both have the variables namespace/g)).toHaveLength(1);
    expect(withNamespaces('NS', 'NS2')).toBe('');
  });

  test('a reference an override adds is checked too (regression: an override could clear an error but not add one)', () => {
    const stack = newStack();
    const delivery = pipelineIn(stack, { environments: [env('staging')] });
    delivery.buildPipeline();
    (delivery.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Stages.2.Actions.0.Configuration.EnvironmentVariables',
      '[{"name":"X","type":"PLAINTEXT","value":"#{Nope.Var}"}]');
    expect(errorOf(() => (stack.node.root as any).synth())).toContain(
      "'PipelineStack/Shop': the action 'Deploy-staging' of stage 'staging' reads #{Nope.Var} in its EnvironmentVariables, but no action of the pipeline has "
      + "the variables namespace 'Nope', so CodePipeline would refuse the pipeline. Read a namespace of an action that runs before it (codepipeline, "
      + 'SourceVariables), or pass a literal value.');
  });

  test('the check renders the pipeline resource only when the escape hatch changed its stages or variables', () => {
    const renderings = (change: (cfn: codepipeline.CfnPipeline) => void) => {
      const stack = newStack();
      const delivery = pipelineIn(stack, { environments: [env('staging')] });
      delivery.buildPipeline();
      const cfn = delivery.pipeline.node.defaultChild as codepipeline.CfnPipeline;
      change(cfn);
      const render = jest.spyOn(cfn as any, '_toCloudFormation');
      (stack.node.root as any).synth();
      return render.mock.calls.length;
    };
    // aws-cdk-lib's own renderings (its references, the stack's template); the check adds one only for a changed pipeline
    const synthesis = renderings(() => undefined);
    expect(renderings(cfn => cfn.addPropertyOverride('RestartExecutionOnUpdate', true))).toBe(synthesis);
    expect(renderings(cfn => cfn.addPropertyOverride('Stages.1.Actions.0.RunOrder', 1))).toBe(synthesis + 1);
    expect(renderings(cfn => cfn.addPropertyOverride('Variables', [{ Name: 'Stage', DefaultValue: 'x' }]))).toBe(synthesis + 1);
  });

  test("a namespace an override gives an action is the action's", () => {
    const stack = newStack();
    const delivery = pipelineIn(stack, {
      environments: [
        { name: 'staging', deployments: [DeploymentTarget.commands('Notes', ['./notes.sh'])] },
        env('prod', { deployments: [DeploymentTarget.commands('Deploy', ['./deploy.sh'], { environmentVariables: { NOTES: '#{Release.NOTES}' } })] }),
      ],
    });
    delivery.buildPipeline();
    const cfn = delivery.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    cfn.addPropertyOverride('Stages.2.Actions.0.Namespace', 'Release');
    // the rendered pipeline is found under the logical id it is given too
    cfn.overrideLogicalId('ShopPipeline');
    (stack.node.root as any).synth();
    expect(action(stack, 'staging', 'Notes').Namespace).toBe('Release');
  });
});

/** The error's message, or '' when `fn` does not throw. */
function errorOrNone(fn: () => unknown): string {
  try {
    fn();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
