import { App, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Approval, DeploymentTarget, IDeliveryActionFactory, PipelineSource, ProduceActionOptions, Verification } from '../../src';
import { action, actionsOf, cfnTarget, CONNECTION_ARN, errorOf, flat, newApp, newStack, pipelineIn, pipelineProps } from '../util';

describe('DeploymentTarget.cloudFormation', () => {
  test('creates a change set, then executes it, from the template in the build output', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out/Shop.template.json', parameterOverrides: { Stage: 'staging' } })],
      }],
    });
    expect(actionsOf(stack, 'staging')).toEqual(['shop-staging.Prepare@1', 'shop-staging.Deploy@2']);
    const prepare = action(stack, 'staging', 'shop-staging.Prepare');
    expect(prepare.Configuration).toMatchObject({
      ActionMode: 'CHANGE_SET_REPLACE',
      StackName: 'shop-staging',
      ChangeSetName: 'cdk-delivery-pipeline',
      TemplatePath: 'BuildOutput::cdk.out/Shop.template.json',
      Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND',
      ParameterOverrides: '{"Stage":"staging"}',
    });
    expect(flat(prepare.Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
    expect(prepare.InputArtifacts).toEqual([{ Name: 'BuildOutput' }]);
    expect(action(stack, 'staging', 'shop-staging.Deploy').Configuration).toEqual({
      ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'shop-staging', ChangeSetName: 'cdk-delivery-pipeline',
    });
  });

  test('a template configuration file of the build output holds parameters beyond parameterOverrides\' 1,000 characters; the plan names it', () => {
    const stack = newStack();
    const pipeline = pipelineIn(stack, {
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 't.json', templateConfiguration: './params/prod.json', parameterOverrides: { Stage: 'prod' } })],
      }],
    });
    expect(action(stack, 'prod', 'shop-prod.Prepare').Configuration).toMatchObject({
      TemplatePath: 'BuildOutput::t.json',
      TemplateConfiguration: 'BuildOutput::params/prod.json',
      ParameterOverrides: '{"Stage":"prod"}',
    });
    expect(pipeline.describe().environments[0].deployments[0].details).toContain('template configuration: params/prod.json');
  });

  test("a secret in parameterOverrides is refused: the pipeline's definition would hold its value, which GetPipeline returns", () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'DbPassword');
    const id = stack.getLogicalId(secret.node.defaultChild as any);
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.cloudFormation({
          stackName: 'shop-prod', templatePath: 't.json', parameterOverrides: { Stage: 'prod', DbPassword: secret.secretValue.unsafeUnwrap() },
        })],
      }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].parameterOverrides.DbPassword holds a secret (a Secrets Manager or SecureString dynamic reference), "
      + "which CloudFormation would write into the pipeline's definition in plain text: returned to anyone who may codepipeline:GetPipeline (grantRead, grantOperate, "
      + `grantApprove, cdk-delivery status) and shown in the console (a SecureString reference fails the deployment), got {{resolve:secretsmanager:<${id}>:SecretString:::}}. `
      + "Resolve the secret in the stack's own template instead (a dynamic reference there, such as SecretValue.secretsManager('db-password') in the stack's code, "
      + 'is resolved when CloudFormation deploys the stack and kept out of the pipeline), and leave DbPassword out of parameterOverrides.');
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 't.json', parameterOverrides: { Key: '{{resolve:ssm-secure:/shop/key}}' } })] }],
    }))).toMatch(/parameterOverrides\.Key holds a secret .*, got \{\{resolve:ssm-secure:\/shop\/key\}\}\. /);
  });

  test('a templatePath written with ./ is read as the same path inside the artifact; one leaving the build output is refused', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: './cdk.out/Shop.template.json' })] }] });
    expect(action(stack, 'staging', 'shop-staging.Prepare').Configuration.TemplatePath).toBe('BuildOutput::cdk.out/Shop.template.json');
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out/../../Shop.template.json' })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[0].templatePath must be a relative path inside the build output, got 'cdk.out/../../Shop.template.json'. "
      + "Pass a path such as 'template.yaml'; the library prefixes the build artifact itself.");
  });

  test('a templatePath written with \'\\\' is refused: CodePipeline reads paths inside the artifact with \'/\' only', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 'cdk.out\\Shop.template.json' })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[0].templatePath separates directories with '\\', but CodePipeline reads paths inside "
      + "the build artifact with '/' only, got 'cdk.out\\Shop.template.json'. Pass 'cdk.out/Shop.template.json'.");
  });

  test('in the pipeline\'s account the actions run as the CDK bootstrap deploy role: no role or policy per action, artifact reads through the bucket policy', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 't.json' })] }] });
    const deployRole = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1';
    expect(flat(action(stack, 'staging', 'shop-staging.Prepare').RoleArn)).toBe(deployRole);
    expect(flat(action(stack, 'staging', 'shop-staging.Deploy').RoleArn)).toBe(deployRole);
    const template = Template.fromStack(stack);
    // only the pipeline's, the source's and the build's roles: none for the CloudFormation actions
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter(id => /shopstaging/i.test(id))).toEqual([]);
    const pipelinePolicy = flat(Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /PipelineRoleDefaultPolicy/.test(id))![1] as any);
    expect(pipelinePolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: 'sts:AssumeRole', Resource: expect.arrayContaining([deployRole]),
    }));
    const bucketPolicy = flat(Object.values(template.findResources('AWS::S3::BucketPolicy'))[0] as any);
    const grant = bucketPolicy.Properties.PolicyDocument.Statement.find((x: any) => x.Principal?.AWS === deployRole);
    expect(grant).toMatchObject({ Effect: 'Allow', Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'] });
    // read only: the deploy role never writes artifacts
    expect([].concat(grant.Action).filter((a: string) => /Put|Delete/.test(a))).toEqual([]);
  });

  test('with another execution role in the pipeline\'s account, an action role may pass only that role and act on only its stack', () => {
    const stack = newStack();
    const exec = iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::111111111111:role/shop-cfn');
    pipelineIn(stack, {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 't.json', deploymentRole: exec })] }],
    });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const prepare = Object.entries(policies).find(([id]) => /shopstagingPrepare.*CodePipelineActionRoleDefaultPolicy/.test(id));
    const statements = flat((prepare![1] as any).Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'iam:PassRole', Resource: 'arn:aws:iam::111111111111:role/shop-cfn' }));
    const cfnStatements = statements.filter((x: any) => [].concat(x.Action).some((a: string) => a.startsWith('cloudformation:')));
    expect(cfnStatements.length).toBeGreaterThan(0);
    for (const st of cfnStatements) {
      expect(st.Resource).toBe('arn:aws:cloudformation:eu-west-1:111111111111:stack/shop-staging/*');
    }
    // nothing in the policy is granted on every resource
    expect(statements.filter((x: any) => x.Resource === '*')).toEqual([]);
    // CloudFormation reads the template's bootstrap version parameter with this role
    expect(statements).toContainEqual({
      Action: 'ssm:GetParameters', Effect: 'Allow', Resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/cdk-bootstrap/hnb659fds/version',
    });
    const execute = Object.entries(policies).find(([id]) => /shopstagingDeploy.*CodePipelineActionRoleDefaultPolicy/.test(id));
    expect(JSON.stringify((execute![1] as any).Properties.PolicyDocument)).not.toContain('ssm:');
  });

  test('the bootstrap deploy role reads the bootstrap version itself: no statement is added for it', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [cfnTarget()] }] });
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).not.toContain('ssm:GetParameters');
  });

  test('an execution role in another account without a deploy role is refused: the bootstrap deploy role may not pass it', () => {
    const stack = newStack();
    const exec = iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::222222222222:role/shop-cfn');
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'p.json', deploymentRole: exec })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].deploymentRole in another account (222222222222) needs deployRole: "
      + 'the CDK bootstrap deploy role may pass only the bootstrap execution role, got arn:aws:iam::222222222222:role/shop-cfn. '
      + "Pass deployRole: a role in 222222222222 that the pipeline's account may assume, with the CloudFormation change-set permissions on the stack "
      + 'and iam:PassRole on this role; or leave deploymentRole out to use the bootstrap execution role.');
    // with a deploy role that may pass it, the same target is accepted
    const stack2 = newStack();
    const exec2 = iam.Role.fromRoleArn(stack2, 'Exec', 'arn:aws:iam::222222222222:role/shop-cfn');
    const deployRole = iam.Role.fromRoleArn(stack2, 'Deployer', 'arn:aws:iam::222222222222:role/shop-deployer', { mutable: false, addGrantsToResources: true });
    pipelineIn(stack2, {
      environments: [{ name: 'prod', account: '222222222222', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'p.json', deploymentRole: exec2, deployRole })] }],
    });
    expect(action(stack2, 'prod', 'shop-prod.Prepare').RoleArn).toBe('arn:aws:iam::222222222222:role/shop-deployer');
  });

  test('a given deploy role runs the actions', () => {
    const stack = newStack();
    const deployRole = iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::111111111111:role/shop-deployer', { mutable: false, addGrantsToResources: true });
    pipelineIn(stack, {
      environments: [{ name: 'staging', deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-staging', templatePath: 't.json', deployRole })] }],
    });
    expect(action(stack, 'staging', 'shop-staging.Prepare').RoleArn).toBe('arn:aws:iam::111111111111:role/shop-deployer');
    expect(action(stack, 'staging', 'shop-staging.Deploy').RoleArn).toBe('arn:aws:iam::111111111111:role/shop-deployer');
    const bucketPolicy = flat(Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))[0] as any);
    expect(bucketPolicy.Properties.PolicyDocument.Statement.map((x: any) => x.Principal?.AWS)).toContain('arn:aws:iam::111111111111:role/shop-deployer');
  });

  test('a given deployment role and bootstrap qualifier are used', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::111111111111:role/shop-cfn');
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'a', templatePath: 'a.json', deploymentRole: role }),
          DeploymentTarget.cloudFormation({ stackName: 'b', templatePath: 'b.json', bootstrapQualifier: 'shop1' }),
        ],
      }],
    });
    expect(action(stack, 'staging', 'a.Prepare').Configuration.RoleArn).toBe('arn:aws:iam::111111111111:role/shop-cfn');
    expect(flat(action(stack, 'staging', 'b.Prepare').Configuration.RoleArn)).toBe('arn:aws:iam::111111111111:role/cdk-shop1-cfn-exec-role-111111111111-eu-west-1');
  });

  test('in another account the actions run as that account\'s CDK bootstrap deploy role, and the artifact key is customer managed', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{ name: 'prod', account: '222222222222', production: true, deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-prod', templatePath: 'p.json' })] }],
    });
    const prepare = action(stack, 'prod', 'shop-prod.Prepare');
    expect(flat(prepare.RoleArn)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1');
    expect(flat(prepare.Configuration.RoleArn)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // the other account may read the artifacts through the bucket policy
    const bucketPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0] as any;
    const principals = flat(bucketPolicy.Properties.PolicyDocument.Statement).map((x: any) => x.Principal?.AWS).filter(Boolean);
    expect(principals).toContain('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1');
  });

  test('several targets of one environment deploy in parallel', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'api', templatePath: 'api.json' }),
          DeploymentTarget.cloudFormation({ stackName: 'web', templatePath: 'web.json' }),
          DeploymentTarget.commands('Migrate', ['./migrate.sh']),
        ],
      }],
    });
    expect(actionsOf(stack, 'staging')).toEqual(['api.Prepare@1', 'api.Deploy@2', 'web.Prepare@1', 'web.Deploy@2', 'Migrate@2']);
  });

  test('two targets of one environment on the same stack are refused (regression: their change sets of one name raced in parallel)', () => {
    expect(errorOf(() => pipelineIn(newStack(), {
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'a.json', name: 'api' }),
          DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'b.json', name: 'web' }),
        ],
      }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[1].stackName deploys stack 'shop' into 111111111111/eu-west-1, which deployments[0] ('api') "
      + "of the same environment deploys too (both would create and execute the change set 'cdk-delivery-pipeline' of that stack, in parallel), got 'shop'. "
      + 'Deploy each stack with one target: remove one of the two, or give it another stack name, account or region.');
  });

  test('one stack name in two regions (or accounts) of one environment is two stacks', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [
          DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'a.json', name: 'eu' }),
          DeploymentTarget.cloudFormation({ stackName: 'shop', templatePath: 'a.json', name: 'us', region: 'us-east-1' }),
        ],
      }],
    });
    expect(actionsOf(stack, 'staging')).toEqual(['eu.Prepare@1', 'eu.Deploy@2', 'us.Prepare@1', 'us.Deploy@2']);
  });

  test('with a change-set review, the approval sits between create and execute', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{ name: 'staging', approval: Approval.changeSetReview(), deployments: [DeploymentTarget.cloudFormation({ stackName: 'api', templatePath: 'api.json' })] }],
    });
    expect(actionsOf(stack, 'staging')).toEqual(['api.Prepare@1', 'api.Deploy@3', 'ReviewChangeSet@2']);
  });
});

describe('DeploymentTarget.commands', () => {
  test('runs a CodeBuild deploy script on the build output, with the source as extra input', () => {
    const stack = newStack();
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.commands('Upload', ['aws s3 sync dist s3://site'])] }] });
    const a = action(stack, 'staging', 'Upload');
    expect(a.ActionTypeId.Provider).toBe('CodeBuild');
    expect(a.InputArtifacts).toEqual([{ Name: 'BuildOutput' }, { Name: 'Source' }]);
    expect(a.RunOrder).toBe(1);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'CODEPIPELINE', BuildSpec: Match.serializedJson({ version: '0.2', phases: { build: { commands: ['aws s3 sync dist s3://site'] } } }) },
    });
  });

  test('runAfterDeployments runs the script once the other deployments succeeded, before verification', () => {
    const stack = newStack();
    const p = pipelineIn(stack, {
      environments: [{
        name: 'prod',
        approval: Approval.manual(),
        deployments: [
          cfnTarget('site'),
          DeploymentTarget.commands('Invalidate', ['bash scripts/invalidate-cdn.sh'], { runAfterDeployments: true }),
          DeploymentTarget.commands('Warm', ['bash scripts/warm.sh'], { runAfterDeployments: true }),
          DeploymentTarget.commands('Upload', ['aws s3 sync dist s3://site']),
        ],
        verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'])],
      }],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['Approve@1', 'site.Prepare@2', 'site.Deploy@3', 'Invalidate@4', 'Warm@4', 'Upload@3', 'Smoke@5']);
    expect(p.describe().environments[0].deployments[1].details[0]).toBe("after the environment's other deployments");
  });

  test('runAfterDeployments follows every level of a change-set review', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'prod',
        approval: Approval.changeSetReview(),
        deployments: [cfnTarget('site'), DeploymentTarget.commands('Invalidate', ['bash scripts/invalidate-cdn.sh'], { runAfterDeployments: true })],
      }],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['site.Prepare@1', 'site.Deploy@3', 'Invalidate@4', 'ReviewChangeSet@2']);
  });

  test('runBeforeDeployments runs the scripts first, in parallel, and every deployment after them (no approval)', () => {
    const stack = newStack();
    const p = pipelineIn(stack, {
      environments: [{
        name: 'staging',
        deployments: [
          cfnTarget('site'),
          DeploymentTarget.commands('CheckSchema', ['bash scripts/check-schema.sh'], { runBeforeDeployments: true }),
          DeploymentTarget.commands('Upload', ['aws s3 sync dist s3://site']),
          DeploymentTarget.commands('CheckHealth', ['bash scripts/health.sh'], { runBeforeDeployments: true }),
          DeploymentTarget.commands('Invalidate', ['bash scripts/invalidate-cdn.sh'], { runAfterDeployments: true }),
        ],
        verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'])],
      }],
    });
    expect(actionsOf(stack, 'staging')).toEqual(['site.Prepare@2', 'site.Deploy@3', 'CheckSchema@1', 'Upload@3', 'CheckHealth@1', 'Invalidate@4', 'Smoke@5']);
    const deployments = p.describe().environments[0].deployments;
    expect(deployments[1].details[0]).toBe("before the environment's other deployments");
    expect(deployments.map(d => d.runsBeforeDeployments)).toEqual([undefined, true, undefined, true, undefined]);
    // the CLI tells the script from a deployment by this variable
    expect(action(stack, 'staging', 'CheckSchema').Configuration.EnvironmentVariables)
      .toBe('[{"name":"CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS","type":"PLAINTEXT","value":"true"}]');
    expect(action(stack, 'staging', 'Upload').Configuration.EnvironmentVariables).toBeUndefined();
  });

  test('runBeforeDeployments runs the script after the manual approval, before the change sets', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'prod',
        approval: Approval.manual(),
        deployments: [cfnTarget('site'), DeploymentTarget.commands('Check', ['bash scripts/check.sh'], { runBeforeDeployments: true })],
        verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'])],
      }],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['Approve@1', 'site.Prepare@3', 'site.Deploy@4', 'Check@2', 'Smoke@5']);
  });

  test('runBeforeDeployments runs the script before the change sets, which a change-set review follows', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'prod',
        approval: Approval.changeSetReview(),
        deployments: [
          cfnTarget('site'),
          DeploymentTarget.commands('Check', ['bash scripts/check.sh'], { runBeforeDeployments: true }),
          DeploymentTarget.commands('Invalidate', ['bash scripts/invalidate-cdn.sh'], { runAfterDeployments: true }),
        ],
      }],
    });
    expect(actionsOf(stack, 'prod')).toEqual(['site.Prepare@2', 'site.Deploy@4', 'Check@1', 'Invalidate@5', 'ReviewChangeSet@3']);
  });

  test('an environment of runBeforeDeployments scripts alone verifies right after them', () => {
    const stack = newStack();
    pipelineIn(stack, {
      environments: [{
        name: 'gate',
        approval: Approval.manual(),
        deployments: [DeploymentTarget.commands('Check', ['bash scripts/check.sh'], { runBeforeDeployments: true })],
        verification: [Verification.commands('Smoke', ['bash scripts/smoke.sh'])],
      }],
    });
    expect(actionsOf(stack, 'gate')).toEqual(['Approve@1', 'Check@2', 'Smoke@3']);
  });

  test('runBeforeDeployments with runAfterDeployments is refused', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.commands('Check', ['x'], { runBeforeDeployments: true, runAfterDeployments: true })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].runBeforeDeployments is true, and so is runAfterDeployments, "
      + 'but a script runs either before the other deployments or after them, got true. '
      + 'Keep one of them, or give the environment two scripts: one with runBeforeDeployments, one with runAfterDeployments.');
  });

  test('stack outputs with runBeforeDeployments are refused: nothing of the environment is deployed yet', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{
        name: 'prod',
        deployments: [cfnTarget('shop-web'), DeploymentTarget.commands('Check', ['x'], { runBeforeDeployments: true, envFromStackOutputs: { D: 'shop-web.DistributionId' } })],
      }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[1].envFromStackOutputs reads stack outputs, which exist once the stacks are deployed, "
      + 'but the script runs before the deployments (runBeforeDeployments), when this execution has deployed none of them yet, got envFromStackOutputs. '
      + 'Set runAfterDeployments: true instead, so the script runs once the other deployments succeeded, or read what an earlier environment deployed in the script itself.');
  });

  test("runBeforeDeployments refuses a variable of the library's name", () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{
        name: 'prod',
        deployments: [DeploymentTarget.commands('Check', ['x'], { runBeforeDeployments: true, environmentVariables: { CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS: 'no' } })],
      }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].environmentVariables.CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS is the variable the library sets "
      + 'on a script with runBeforeDeployments (the cdk-delivery CLI reads it to tell the script from a deployment), got CDK_DELIVERY_RUNS_BEFORE_DEPLOYMENTS. Give your variable another name.');
  });

  test('fails when runBeforeDeployments is not a boolean', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.commands('Check', ['x'], { runBeforeDeployments: 1 as any })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].runBeforeDeployments must be true or false, got 1. Pass a boolean.");
  });

  test('fails when runAfterDeployments is not a boolean', () => {
    const stack = newStack();
    expect(errorOf(() => pipelineIn(stack, {
      environments: [{ name: 'prod', deployments: [DeploymentTarget.commands('Invalidate', ['x'], { runAfterDeployments: 'yes' as any })] }],
    }))).toBe("'PipelineStack/Shop': environments[0] ('prod').deployments[0].runAfterDeployments must be true or false, got 'yes'. Pass a boolean.");
  });
});

describe('DeploymentTarget.fromActionFactory', () => {
  test('the factory gets the action name, run order and artifacts and supplies the action', () => {
    const stack = newStack();
    const seen: ProduceActionOptions[] = [];
    const factory: IDeliveryActionFactory = {
      produceAction(_scope: Construct, options: ProduceActionOptions): codepipeline.IAction {
        seen.push(options);
        return new actions.ManualApprovalAction({ actionName: options.actionName, runOrder: options.runOrder, additionalInformation: 'custom' });
      },
    };
    pipelineIn(stack, { environments: [{ name: 'staging', deployments: [DeploymentTarget.fromActionFactory('Custom', factory)] }] });
    expect(seen).toHaveLength(0); // the pipeline is built just before synthesis
    expect(action(stack, 'staging', 'Custom').Configuration).toEqual({ CustomData: 'custom' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ actionName: 'Custom', runOrder: 1, environmentName: 'staging' });
    expect(seen[0].buildArtifact.artifactName).toBe('BuildOutput');
    expect(pipelineProps(stack).Stages).toHaveLength(3);
  });

  test('the plan gives the account and region the produced action runs in, and whether its CodeBuild project is privileged', () => {
    const stack = newStack();
    const project = new codebuild.PipelineProject(stack, 'Dind', { environment: { privileged: true } });
    const pipeline = pipelineIn(stack, {
      environments: [{
        name: 'staging',
        account: '222222222222',
        deployments: [
          DeploymentTarget.fromActionFactory('Cfn', {
            produceAction: (_s, o) => new actions.CloudFormationCreateUpdateStackAction({
              actionName: o.actionName,
              runOrder: o.runOrder,
              stackName: 'shop',
              templatePath: o.buildArtifact.atPath('t.json'),
              adminPermissions: false,
              region: 'us-east-1',
              account: '222222222222',
            }),
          }),
          DeploymentTarget.fromActionFactory('Docker', {
            produceAction: (_s, o) => new actions.CodeBuildAction({
              actionName: o.actionName, runOrder: o.runOrder, project, input: o.buildArtifact,
            }),
          }),
        ],
      }],
    });
    pipeline.buildPipeline();
    expect(action(stack, 'staging', 'Cfn').Region).toBe('us-east-1');
    const [cfn, docker] = pipeline.describe().environments[0].deployments;
    expect(cfn).toEqual({ name: 'Cfn', kind: 'custom', summary: 'custom action', details: [], region: 'us-east-1' });
    // the CodeBuild action runs in the pipeline's account: another account than its environment's
    expect(docker).toEqual({ name: 'Docker', kind: 'custom', summary: 'custom action', details: [], privileged: true, account: '111111111111' });
  });

  test('with fullClone, an action that is not CodeBuild taking the source artifact is refused; a CodeBuild action, or one on the build output, is taken', () => {
    const attempt = (produce: (scope: Construct, o: ProduceActionOptions) => codepipeline.IAction) => {
      const stack = newStack();
      const pipeline = pipelineIn(stack, {
        source: PipelineSource.gitHub({ repository: 'acme/shop', connectionArn: CONNECTION_ARN, fullClone: true }),
        environments: [{ name: 'staging', deployments: [DeploymentTarget.fromActionFactory('Site', { produceAction: produce })] }],
      });
      pipeline.buildPipeline();
      return action(stack, 'staging', 'Site').InputArtifacts;
    };
    const s3Deploy = (input: 'sourceArtifact' | 'buildArtifact') => (scope: Construct, o: ProduceActionOptions) => new actions.S3DeployAction({
      actionName: o.actionName, runOrder: o.runOrder, input: o[input], bucket: s3.Bucket.fromBucketName(scope, 'Site', 'shop-site'),
    });
    expect(errorOf(() => attempt(s3Deploy('sourceArtifact')))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[0].factory returned an action "
      + '(provider S3) that takes the source artifact, but source.fullClone makes that artifact a clone reference (CODEBUILD_CLONE_REF) that only CodeBuild can read, '
      + "got 'Site'. Give the action options.buildArtifact (the build can put the files in its output), or leave fullClone out.");
    expect(attempt(s3Deploy('buildArtifact'))).toEqual([{ Name: 'BuildOutput' }]);
    expect(attempt((scope, o) => new actions.CodeBuildAction({
      actionName: o.actionName, runOrder: o.runOrder, input: o.sourceArtifact, project: new codebuild.PipelineProject(scope, 'Project'),
    }))).toEqual([{ Name: 'Source' }]);
  });

  describe('what the factory returns is checked (regressions: TypeErrors, aws-cdk-lib errors, or a run order that moved the action)', () => {
    const fix = 'Return one new action built with options.actionName and options.runOrder, for example '
      + 'new codepipeline_actions.CodeBuildAction({ actionName: options.actionName, runOrder: options.runOrder, project, input: options.buildArtifact }).';
    const field = "'PipelineStack/Shop': environments[0] ('staging').deployments[0].factory";
    const build = (produce: (options: ProduceActionOptions) => unknown) => {
      const stack = newStack();
      const pipeline = pipelineIn(stack, {
        environments: [{ name: 'staging', deployments: [DeploymentTarget.fromActionFactory('Custom', { produceAction: (_s, o) => produce(o) as any })] }],
      });
      return errorOf(() => pipeline.buildPipeline());
    };
    const approval = (name: string, runOrder: number) => new actions.ManualApprovalAction({ actionName: name, runOrder });

    test.each<[string, (o: ProduceActionOptions) => unknown, string]>([
      ['nothing', () => undefined, `${field} returned something that is not a codepipeline.IAction from produceAction, got undefined. ${fix}`],
      ['a list of actions', (o) => [approval(o.actionName, o.runOrder)], `${field} returned something that is not a codepipeline.IAction from produceAction, got an array of 1. ${fix}`],
      ['another name', (o) => approval('Other', o.runOrder), `${field} returned an action named 'Other' from produceAction, but the pipeline named it 'Custom' (options.actionName), got 'Other'. ${fix}`],
      ['another run order', (o) => approval(o.actionName, o.runOrder + 5),
        `${field} returned an action with runOrder 6 from produceAction, but the pipeline gave it 1 (options.runOrder), got 6. ${fix}`],
      ['an object with actionProperties but no bind method', (o) => ({ actionProperties: approval(o.actionName, o.runOrder).actionProperties }),
        `${field} returned from produceAction an object that is not a codepipeline.IAction (it has no bind or onStateChange method), got an object. ${fix} `
        + "A class of your own must extend codepipeline_actions.Action or implement IAction's bind and onStateChange."],
      ['an object without onStateChange', (o) => ({ actionProperties: approval(o.actionName, o.runOrder).actionProperties, bind: () => ({}) }),
        `${field} returned from produceAction an object that is not a codepipeline.IAction (it has no onStateChange method), got an object. ${fix} `
        + "A class of your own must extend codepipeline_actions.Action or implement IAction's bind and onStateChange."],
    ])('refuses %s', (_case, produce, message) => {
      expect(build(produce)).toBe(message);
    });

    test('a factory that throws is the library\'s error naming the pipeline, the target and the factory\'s message (regression: a bare Error)', () => {
      expect(build(() => { throw new RangeError('no project for staging'); }))
        .toBe(`${field} failed while producing the action 'Custom': RangeError: no project for staging. `
          + 'Fix the factory (its produceAction method threw), or remove the deployment.');
      expect(build(() => { throw 'plain string'; }))
        .toBe(`${field} failed while producing the action 'Custom': plain string. Fix the factory (its produceAction method threw), or remove the deployment.`);
    });

    test('refuses an action of another account when the artifacts\' key is the pipeline account\'s own (regression: aws-cdk-lib\'s KMS error)', () => {
      expect(build(o => new actions.CloudFormationCreateUpdateStackAction({
        actionName: o.actionName, runOrder: o.runOrder, stackName: 'shop', templatePath: o.buildArtifact.atPath('t.json'), adminPermissions: false, account: '999999999999',
      }))).toBe(`${field} returned an action that runs in account 999999999999, but the pipeline's artifacts are encrypted with a key only its own account can use `
        + "(aws-cdk-lib: \"Artifact Bucket must have a KMS Key\"), got '999999999999'. Set environment 'staging' account: '999999999999' (the pipeline then encrypts "
        + "its artifacts with a key it shares with the environments' accounts), or pass an artifactBucket with a KMS key.");
    });

    describe("where aws-cdk-lib could not place the action, the library's error names the target (regressions: aws-cdk-lib's errors without a construct path)", () => {
      const stackEnv = "Give the pipeline's stack an environment: new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } })";
      type CfnProps = Partial<actions.CloudFormationCreateUpdateStackActionProps>;
      const cfn = (o: ProduceActionOptions, extra: CfnProps = {}) => new actions.CloudFormationCreateUpdateStackAction({
        actionName: o.actionName, runOrder: o.runOrder, stackName: 'shop', templatePath: o.buildArtifact.atPath('t.json'), adminPermissions: false, ...extra,
      });
      const deployer = (scope: Construct) => iam.Role.fromRoleArn(scope, 'Deployer', 'arn:aws:iam::222222222222:role/deployer', { mutable: false });
      /** The error of a factory target in environment 'staging' (of `envAccount`, if given), in a pipeline stack of `stackEnv`. */
      type Produce = (scope: Construct, o: ProduceActionOptions) => codepipeline.IAction;
      const placed = (stackEnvironment: { account?: string; region?: string } | undefined, produce: Produce, envAccount?: string) => {
        const stack = new Stack(newApp(), 'Agnostic', { env: stackEnvironment });
        pipelineIn(stack, {
          environments: [{ name: 'staging', account: envAccount, deployments: [DeploymentTarget.fromActionFactory('Custom', { produceAction: produce })] }],
        });
        return errorOf(() => (stack.node.root as App).synth());
      };
      const at = "'Agnostic/Shop': environments[0] ('staging').deployments[0].factory";

      test('an action of another region, from a stack without a region or without an account', () => {
        expect(placed(undefined, (_s, o) => cfn(o, { region: 'us-east-1' }))).toBe(`${at} returned an action that runs in region us-east-1 (its region, or its `
          + "resource's), but the pipeline's stack has no explicit region (cross-region deployments need one for the artifact replication bucket), got 'us-east-1'. "
          + `${stackEnv}.`);
        expect(placed({ region: 'eu-west-1' }, (_s, o) => cfn(o, { region: 'us-east-1' }))).toBe(`${at} returned an action that runs in region us-east-1 (its region, `
          + "or its resource's), but the pipeline's stack has no explicit account (cross-region deployments need one for the artifact replication bucket), got 'us-east-1'. "
          + `${stackEnv}.`);
      });

      test('an action with a role of another account, from a stack without an account: the artifacts\' key', () => {
        expect(placed(undefined, (scope, o) => cfn(o, { role: deployer(scope) }))).toBe(`${at} returned an action that runs in account 222222222222 (its role's, `
          + "its resource's or its own), but the pipeline's stack has no explicit account, so aws-cdk-lib treats the action as one of another account, and the "
          + "pipeline's artifacts are encrypted with a key only the pipeline's account can use (aws-cdk-lib: \"Artifact Bucket must have a KMS Key\"), got "
          + `'222222222222'. ${stackEnv}; if the action runs in another account than the pipeline's, also set environment 'staging' account: '222222222222' `
          + "(the pipeline then encrypts its artifacts with a key it shares with the environments' accounts), or pass an artifactBucket with a KMS key.");
      });

      test('an action of another account without a role, from a stack without an account or region: the role aws-cdk-lib creates for it', () => {
        expect(placed(undefined, (_s, o) => cfn(o, { account: '222222222222' }), '222222222222')).toBe(`${at} returned an action for account 222222222222 `
          + "(its resource's, or its own) without a role, for which aws-cdk-lib creates a role in a support stack of that account, but the pipeline's stack has "
          + `no explicit account, got '222222222222'. ${stackEnv}, or give the action a role.`);
        expect(placed({ account: '111111111111' }, (_s, o) => cfn(o, { account: '222222222222' }), '222222222222')).toBe(`${at} returned an action for account `
          + "222222222222 (its resource's, or its own) without a role, for which aws-cdk-lib creates a role in a support stack of that account, but the pipeline's "
          + "stack has no explicit region (the role's stack names the artifact bucket, whose name needs it), got '222222222222'. "
          + `${stackEnv}, or give the action a role.`);
      });

      test('an action whose account is a token', () => {
        expect(placed({ account: '111111111111', region: 'eu-west-1' }, (_s, o) => cfn(o, { account: Fn.importValue('DeployAccount') }))).toBe(`${at} returned `
          + "an action whose account (its resource's, or its own) is a token, which aws-cdk-lib cannot compare with the pipeline's account, got a token. Give the "
          + 'action a literal account (and a resource whose ARN names its account), or give it a role.');
      });

      test('what aws-cdk-lib places is left alone: a role of the environment\'s account, from a stack without an account', () => {
        const stack = new Stack(newApp(), 'Agnostic');
        pipelineIn(stack, {
          environments: [{
            name: 'staging', account: '222222222222', deployments: [DeploymentTarget.fromActionFactory('Custom', { produceAction: (scope, o) => cfn(o, { role: deployer(scope) }) })],
          }],
        });
        expect(action(stack, 'staging', 'Custom').RoleArn).toBe('arn:aws:iam::222222222222:role/deployer');
      });
    });

    test('places the action where aws-cdk-lib runs it: the account of its role first (regression: its `account` alone was read)', () => {
      const stack = newStack();
      const cfn = (account: string, roleAccount: string) => DeploymentTarget.fromActionFactory(`Cfn${roleAccount}`, {
        produceAction: (scope, o) => new actions.CloudFormationCreateUpdateStackAction({
          actionName: o.actionName,
          runOrder: o.runOrder,
          stackName: `shop-${roleAccount}`,
          templatePath: o.buildArtifact.atPath('t.json'),
          adminPermissions: false,
          account,
          role: iam.Role.fromRoleArn(scope, 'Deployer', `arn:aws:iam::${roleAccount}:role/deployer`, { mutable: false }),
        }),
      });
      // CloudFormation ignores `account` when a role is given: the pipeline's own role runs it, in its account
      const pipeline = pipelineIn(stack, {
        environments: [
          { name: 'staging', deployments: [cfn('222222222222', '111111111111')] },
          { name: 'prod', account: '333333333333', deployments: [cfn('333333333333', '222222222222')] },
        ],
      });
      pipeline.buildPipeline();
      const [staging, prod] = pipeline.describe().environments.map(e => e.deployments[0]);
      expect(staging.account).toBeUndefined();
      expect(prod.account).toBe('222222222222');
    });

    test('refuses one action object returned for two targets', () => {
      const shared = approval('Custom', 1);
      const stack = newStack();
      const pipeline = pipelineIn(stack, {
        environments: [
          { name: 'staging', deployments: [DeploymentTarget.fromActionFactory('Custom', { produceAction: () => shared })] },
          { name: 'prod', deployments: [DeploymentTarget.fromActionFactory('Custom', { produceAction: () => shared })] },
        ],
      });
      expect(errorOf(() => pipeline.buildPipeline())).toBe(
        "'PipelineStack/Shop': environments[1] ('prod').deployments[0].factory returned from produceAction an action another target already uses "
        + `(CodePipeline takes each action once), got 'Custom'. ${fix}`);
    });
  });
});
