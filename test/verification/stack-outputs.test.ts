import { CfnCondition, CfnOutput, Fn, NestedStack, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DeliveryPipeline, DeploymentTarget, EnvironmentOptions, Verification } from '../../src';
import { outputsNamespace } from '../../src/private/stack-outputs';
import { action, actionsOf, cfnTarget, errorOf, newApp, props } from '../util';

/** A service stage: a data stack, and an API stack (after it) whose outputs the tests read. */
class ShopStage extends Stage {
  public readonly apiUrl: CfnOutput;
  public readonly queueName: CfnOutput;
  public readonly tableName: CfnOutput;
  public readonly api: Stack;

  constructor(scope: Construct, id: string, stageProps: StageProps & { conditionalUrl?: boolean } = {}) {
    super(scope, id, stageProps);
    const data = new Stack(this, 'Data', { stackName: `shop-data-${id.toLowerCase()}` });
    const table = new ssm.StringParameter(data, 'Table', { stringValue: 'orders' });
    this.tableName = new CfnOutput(data, 'TableName', { value: table.parameterName });
    this.api = new Stack(this, 'Api', { stackName: `shop-api-${id.toLowerCase()}` });
    this.api.addDependency(data);
    const url = new ssm.StringParameter(this.api, 'Url', { stringValue: 'https://api.example.com' });
    this.apiUrl = new CfnOutput(this.api, 'ApiUrl', { value: url.stringValue });
    if (stageProps.conditionalUrl) {
      this.apiUrl.condition = new CfnCondition(this.api, 'Public', { expression: Fn.conditionEquals(this.api.region, 'eu-west-1') });
    }
    this.queueName = new CfnOutput(this.api, 'Queue', { value: 'orders-queue' });
    this.queueName.overrideLogicalId('QueueName');
  }
}

const ENV = { account: '111111111111', region: 'eu-west-1' };

function setup(stageProps: { conditionalUrl?: boolean } = {}) {
  const app = newApp();
  const stack = new Stack(app, 'PipelineStack', { env: ENV });
  const staging = new ShopStage(app, 'Staging', { env: ENV, ...stageProps });
  const prod = new ShopStage(app, 'Prod', { env: { ...ENV, account: '222222222222' } });
  return { app, stack, staging, prod };
}

function pipeline(stack: Stack, environments: EnvironmentOptions[]): DeliveryPipeline {
  return new DeliveryPipeline(stack, 'Shop', props({ environments }));
}

describe('Verification.commands envFromCfnOutputs', () => {
  test('the stack\'s deploy action publishes its outputs in a namespace, and the test reads them as action variables', () => {
    const { stack, staging } = setup();
    pipeline(stack, [{
      name: 'staging',
      deployments: [DeploymentTarget.cdkStage(staging)],
      verification: [Verification.commands('Smoke', ['curl -fsS "$API_URL/health"'], {
        env: { TIMEOUT: '30' },
        envFromCfnOutputs: { API_URL: staging.apiUrl, QUEUE: staging.queueName, TABLE: staging.tableName },
      })],
    }]);
    expect(actionsOf(stack, 'staging')).toEqual([
      'shop-data-staging.Prepare@1', 'shop-data-staging.Deploy@2', 'shop-api-staging.Prepare@3', 'shop-api-staging.Deploy@4', 'Smoke@5',
    ]);
    expect(action(stack, 'staging', 'shop-api-staging.Deploy').Namespace).toBe('staging@shop-api-staging');
    expect(action(stack, 'staging', 'shop-data-staging.Deploy').Namespace).toBe('staging@shop-data-staging');
    // the change-set actions publish nothing the tests read
    expect(action(stack, 'staging', 'shop-api-staging.Prepare').Namespace).toBeUndefined();
    expect(JSON.parse(action(stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'API_URL', type: 'PLAINTEXT', value: '#{staging@shop-api-staging.ApiUrl}' },
      { name: 'QUEUE', type: 'PLAINTEXT', value: '#{staging@shop-api-staging.QueueName}' },
      { name: 'TABLE', type: 'PLAINTEXT', value: '#{staging@shop-data-staging.TableName}' },
    ]);
  });

  test('stacks no test reads get no namespace, and a test without envFromCfnOutputs has no action variables', () => {
    const { stack, staging } = setup();
    pipeline(stack, [{
      name: 'staging',
      deployments: [DeploymentTarget.cdkStage(staging)],
      verification: [
        Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: staging.apiUrl } }),
        Verification.commands('E2E', ['npm run e2e']),
      ],
    }]);
    expect(action(stack, 'staging', 'shop-data-staging.Deploy').Namespace).toBeUndefined();
    expect(action(stack, 'staging', 'shop-api-staging.Deploy').Namespace).toBe('staging@shop-api-staging');
    expect(action(stack, 'staging', 'E2E').Configuration.EnvironmentVariables).toBeUndefined();
  });

  test('each environment reads its own stage\'s outputs, in a namespace of its own', () => {
    const { stack, staging, prod } = setup();
    pipeline(stack, [
      { name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)], verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: staging.apiUrl } })] },
      {
        name: 'prod',
        production: true,
        account: '222222222222',
        deployments: [DeploymentTarget.cdkStage(prod)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: prod.apiUrl } })],
      },
    ]);
    expect(action(stack, 'prod', 'shop-api-prod.Deploy').Namespace).toBe('prod@shop-api-prod');
    expect(JSON.parse(action(stack, 'prod', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'API_URL', type: 'PLAINTEXT', value: '#{prod@shop-api-prod.ApiUrl}' },
    ]);
  });

  test('the plan names the output behind each variable', () => {
    const { stack, staging } = setup();
    const p = pipeline(stack, [{
      name: 'staging',
      deployments: [DeploymentTarget.cdkStage(staging)],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: staging.apiUrl } })],
    }]);
    expect(p.describe().environments[0].verification[0].details).toEqual(['run: bash smoke.sh', 'env API_URL: output ApiUrl of stack shop-api-staging']);
  });

  test('namespaces hold only the characters CodePipeline allows, at most 100, and stay unique', () => {
    expect(outputsNamespace('prod', 'shop-api-prod')).toBe('prod@shop-api-prod');
    const dotted = outputsNamespace('eu.prod', 'shop-api');
    expect(dotted).toMatch(/^eu_prod-[0-9a-f]{8}@shop-api$/);
    expect(dotted).not.toBe(outputsNamespace('eu_prod', 'shop-api'));
    const long = outputsNamespace('e'.repeat(100), 's'.repeat(92));
    expect(long).toHaveLength(100);
    expect(long).toMatch(/^[A-Za-z0-9@_-]+$/);
    expect(long).not.toBe(outputsNamespace('e'.repeat(100), `${'s'.repeat(91)}t`));
  });

  test('an output with a Condition warns: when it is false the stack has no such output and the test cannot start', () => {
    const { stack, staging } = setup({ conditionalUrl: true });
    pipeline(stack, [{
      name: 'staging',
      deployments: [DeploymentTarget.cdkStage(staging)],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: staging.apiUrl, QUEUE: staging.queueName } })],
    }]);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('delivery-pipeline:conditionalOutput'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringContaining(
      "envFromCfnOutputs.API_URL: output 'ApiUrl' of stack 'shop-api-staging' has a Condition. When the condition is false the stack has no such output",
    )]);
  });

  describe('fails', () => {
    const base = "'PipelineStack/Shop': environments[0] ('staging').verification[0].envFromCfnOutputs";

    test('when the output is of a stage another environment deploys', () => {
      const { stack, staging, prod } = setup();
      expect(errorOf(() => pipeline(stack, [
        { name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)], verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: prod.apiUrl } })] },
        { name: 'prod', production: true, account: '222222222222', deployments: [DeploymentTarget.cdkStage(prod)] },
      ]))).toBe(`${base}.API_URL is an output of stack 'Prod/Api', which environment 'staging' does not deploy (its tests run after its own deployments only), `
        + "got 'Prod/Api/ApiUrl'. Pass an output of a stack of the CDK stage 'Staging' this environment deploys.");
    });

    test('when the environment deploys no CDK stage', () => {
      const { stack, staging } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.commands('Deploy', ['bash deploy.sh'])],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: staging.apiUrl } })],
      }]))).toBe(`${base}.API_URL is an output of stack 'Staging/Api', which environment 'staging' does not deploy (its tests run after its own deployments only), `
        + "got 'Staging/Api/ApiUrl'. Deploy the stack's stage in this environment with DeploymentTarget.cdkStage(stage), or pass the value in env.");
    });

    test('when the output is of the pipeline\'s own stack', () => {
      const { stack, staging } = setup();
      const own = new CfnOutput(stack, 'Own', { value: 'x' });
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)], verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { X: own } })],
      }]))).toContain(".X is an output of stack 'PipelineStack', which environment 'staging' does not deploy");
    });

    test('when the output is of a nested stack: its outputs are not the parent\'s, which the deploy action publishes; re-exported in the parent it is read', () => {
      const { stack, staging } = setup();
      const nested = new NestedStack(staging.api, 'Cache');
      const endpoint = new ssm.StringParameter(nested, 'Endpoint', { stringValue: 'cache.example.com' });
      const nestedOutput = new CfnOutput(nested, 'CacheEndpoint', { value: endpoint.stringValue });
      // a nested stack of a nested stack: the stack the environment deploys is the outermost one
      const inner = new CfnOutput(new NestedStack(nested, 'Inner'), 'Port', { value: '6379' });
      const verify = (X: CfnOutput, id = 'Shop') => () => new DeliveryPipeline(stack, id, props({
        environments: [{
          name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)], verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { X } })],
        }],
      }));
      expect(errorOf(verify(nestedOutput))).toBe(`${base}.X is an output of nested stack 'Staging/Api/Cache', whose outputs CloudFormation does not give the deploy `
        + "action (its variables are the outputs of the stack it deploys, 'Staging/Api'), got 'Staging/Api/Cache/CacheEndpoint'. Re-export the value as a "
        + "CfnOutput of the parent stack 'Staging/Api' (new CfnOutput(parentStack, 'Id', { value }) with the nested stack's value: aws-cdk-lib passes it up "
        + "through the nested stack's outputs), and pass that output.");
      expect(errorOf(verify(inner, 'Inner'))).toContain(".X is an output of nested stack 'Staging/Api/Cache/Inner', whose outputs CloudFormation does not give the deploy "
        + "action (its variables are the outputs of the stack it deploys, 'Staging/Api'), got 'Staging/Api/Cache/Inner/Port'. Re-export the value as a CfnOutput of the parent stack 'Staging/Api'");
      // the failed pipelines' constructs stay in the tree: read the output in an app of its own
      const fresh = setup();
      const freshNested = new NestedStack(fresh.staging.api, 'Cache');
      const value = new ssm.StringParameter(freshNested, 'Endpoint', { stringValue: 'cache.example.com' }).stringValue;
      const ok = new CfnOutput(fresh.staging.api, 'CacheEndpoint', { value });
      pipeline(fresh.stack, [{
        name: 'staging', deployments: [DeploymentTarget.cdkStage(fresh.staging)], verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { X: ok } })],
      }]);
      expect(JSON.parse(action(fresh.stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
        { name: 'X', type: 'PLAINTEXT', value: '#{staging@shop-api-staging.CacheEndpoint}' },
      ]);
    });

    test('when the output is not in the template the pipeline deploys (renamed after the stage was synthesized)', () => {
      const { stack, staging } = setup();
      staging.synth();
      staging.apiUrl.overrideLogicalId('PublicUrl');
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging', deployments: [DeploymentTarget.cdkStage(staging)], verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { URL: staging.apiUrl } })],
      }]))).toBe(`${base}.URL is an output of stack 'Staging/Api' that is not in the stack's synthesized template (it was added or renamed after the stage was synthesized), `
        + "got 'Staging/Api/ApiUrl'. Create and name the output with the stack's other resources, before the pipeline is created.");
    });

    test('when a variable is also set by env', () => {
      const { stack, staging } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.cdkStage(staging)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { env: { API_URL: 'https://x' }, envFromCfnOutputs: { API_URL: staging.apiUrl } })],
      }]))).toBe(`${base}.API_URL sets a variable env, environmentVariables or secrets sets too, got 'API_URL'. `
        + 'Give the variable one source: remove it from env (environmentVariables), secrets, envFromCfnOutputs or envFromStackOutputs.');
    });

    test('when a value is not a CfnOutput', () => {
      const { stack, staging } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.cdkStage(staging)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: 'https://x' as any } })],
      }]))).toBe(`${base}.API_URL must be a CfnOutput, got 'https://x'. `
        + 'Map environment variable names to CfnOutputs of a stack the environment deploys, for example { API_URL: api.urlOutput }.');
    });

    test('when a name is not an environment variable name', () => {
      const { stack, staging } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.cdkStage(staging)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { 'API-URL': staging.apiUrl } })],
      }]))).toBe(`${base} has a name that is not a valid environment variable name, got 'API-URL'. Use letters, digits and underscores, not starting with a digit.`);
    });

    test('when the variables do not fit the 1000 characters of the action\'s configuration', () => {
      const { stack, staging } = setup();
      const many = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`SERVICE_ENDPOINT_${i}`, i % 2 ? staging.apiUrl : staging.tableName]));
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.cdkStage(staging)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: many })],
      }]))).toMatch(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} needs 1\\d{3} characters of action configuration, more than CodePipeline's 1000 `
        + 'for a CodeBuild action\'s environment variables, got 14 outputs. Read fewer outputs here'));
    });
  });
});

describe('Verification.commands envFromStackOutputs', () => {
  const base = "'PipelineStack/Shop': environments[0] ('staging').verification[0].envFromStackOutputs";

  test('reads outputs of a CloudFormation target\'s stack by name, through its deploy action\'s namespace', () => {
    const { stack } = setup();
    pipeline(stack, [{
      name: 'staging',
      deployments: [cfnTarget('shop-staging'), DeploymentTarget.cloudFormation({ stackName: 'shop-cdn', templatePath: 'cdn.yaml', name: 'cdn.blue' })],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { API_URL: 'shop-staging.ApiUrl', CDN: 'cdn.blue.DistributionDomain' } })],
    }]);
    expect(action(stack, 'staging', 'shop-staging.Deploy').Namespace).toBe('staging@shop-staging');
    // '.' is not allowed in a namespace
    const cdn = action(stack, 'staging', 'cdn.blue.Deploy').Namespace;
    expect(cdn).toMatch(/^staging@cdn_blue-[0-9a-f]{8}$/);
    expect(action(stack, 'staging', 'shop-staging.Prepare').Namespace).toBeUndefined();
    expect(JSON.parse(action(stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'API_URL', type: 'PLAINTEXT', value: '#{staging@shop-staging.ApiUrl}' },
      { name: 'CDN', type: 'PLAINTEXT', value: `#{${cdn}.DistributionDomain}` },
    ]);
  });

  test('names a CloudFormation target by the stack it deploys too (regression: "names stack \'shop-api-prod\', which environment \'staging\' does not deploy")', () => {
    const { stack } = setup();
    const p = pipeline(stack, [{
      name: 'staging',
      deployments: [DeploymentTarget.cloudFormation({ stackName: 'shop-api-prod', templatePath: 'api.yaml', name: 'Api' })],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { URL: 'shop-api-prod.Url', BY_NAME: 'Api.Url' } })],
    }]);
    expect(action(stack, 'staging', 'Api.Deploy').Namespace).toBe('staging@Api');
    expect(JSON.parse(action(stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'URL', type: 'PLAINTEXT', value: '#{staging@Api.Url}' },
      { name: 'BY_NAME', type: 'PLAINTEXT', value: '#{staging@Api.Url}' },
    ]);
    expect(p.describe().environments[0].verification[0].details).toEqual([
      'run: bash smoke.sh', 'env URL: output Url of stack shop-api-prod', 'env BY_NAME: output Url of stack shop-api-prod',
    ]);
  });

  test('a target\'s name wins over another target\'s stack name, and a stack name two targets deploy is refused naming both', () => {
    const { stack } = setup();
    pipeline(stack, [{
      name: 'staging',
      deployments: [
        DeploymentTarget.cloudFormation({ stackName: 'shop-api', templatePath: 'api.yaml', name: 'Api' }),
        DeploymentTarget.cloudFormation({ stackName: 'Api', templatePath: 'legacy.yaml', name: 'Legacy' }),
      ],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { URL: 'Api.Url' } })],
    }]);
    expect(JSON.parse(action(stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([{ name: 'URL', type: 'PLAINTEXT', value: '#{staging@Api.Url}' }]);
    const two = setup();
    expect(errorOf(() => pipeline(two.stack, [{
      name: 'staging',
      deployments: [
        DeploymentTarget.cloudFormation({ stackName: 'shop-api', templatePath: 'api.yaml', name: 'ApiEu' }),
        DeploymentTarget.cloudFormation({ stackName: 'shop-api', templatePath: 'api.yaml', name: 'ApiUs', region: 'us-east-1' }),
      ],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { URL: 'shop-api.Url' } })],
    }]))).toBe(`${base}.URL names stack 'shop-api', which 2 targets of environment 'staging' deploy ('ApiEu', 'ApiUs'), got 'shop-api.Url'. `
      + "Name the target whose output it is: 'ApiEu.Url' or 'ApiUs.Url'.");
  });

  test('names a CDK stage\'s stack too, beside envFromCfnOutputs, and the plan shows both', () => {
    const { stack, staging } = setup();
    const p = pipeline(stack, [{
      name: 'staging',
      deployments: [DeploymentTarget.cdkStage(staging)],
      verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { API_URL: staging.apiUrl }, envFromStackOutputs: { TABLE: 'shop-data-staging.TableName' } })],
    }]);
    expect(JSON.parse(action(stack, 'staging', 'Smoke').Configuration.EnvironmentVariables)).toEqual([
      { name: 'API_URL', type: 'PLAINTEXT', value: '#{staging@shop-api-staging.ApiUrl}' },
      { name: 'TABLE', type: 'PLAINTEXT', value: '#{staging@shop-data-staging.TableName}' },
    ]);
    expect(p.describe().environments[0].verification[0].details).toEqual([
      'run: bash smoke.sh', 'env API_URL: output ApiUrl of stack shop-api-staging', 'env TABLE: output TableName of stack shop-data-staging',
    ]);
  });

  describe('fails', () => {
    test('when the stack is not one the environment deploys', () => {
      const { stack } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [cfnTarget('shop-staging')],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { API_URL: 'shop-prod.ApiUrl' } })],
      }]))).toBe(`${base}.API_URL names stack 'shop-prod', which environment 'staging' does not deploy (its tests run after its own deployments only), `
        + "got 'shop-prod.ApiUrl'. Name a stack this environment deploys: 'shop-staging' (a CloudFormation target is named by its name, which defaults to its stack name).");
    });

    test('when a CDK stage\'s stack has no such output', () => {
      const { stack, staging } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.cdkStage(staging)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { URL: 'shop-api-staging.Url' } })],
      }]))).toBe(`${base}.URL names output 'Url', which the template of stack 'shop-api-staging' does not have, got 'shop-api-staging.Url'. `
        + 'Name one of its outputs: ApiUrl, QueueName.');
    });

    test('when the reference is not <stack>.<output>', () => {
      for (const ref of ['ApiUrl', 'shop-staging.Api-Url', '.ApiUrl']) {
        const { stack } = setup();
        expect(errorOf(() => pipeline(stack, [{
          name: 'staging',
          deployments: [cfnTarget('shop-staging')],
          verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromStackOutputs: { URL: ref } })],
        }]))).toBe(`${base}.URL must name a stack's output as '<stack name>.<output name>' (the output's logical id: letters and digits), got '${ref}'. `
          + "Map environment variable names to '<stack name>.<output name>', for example { API_URL: 'shop-prod.ApiUrl' }.");
      }
    });

    test('when both maps set a variable', () => {
      const { stack, staging } = setup();
      expect(errorOf(() => pipeline(stack, [{
        name: 'staging',
        deployments: [DeploymentTarget.cdkStage(staging)],
        verification: [Verification.commands('Smoke', ['bash smoke.sh'], { envFromCfnOutputs: { URL: staging.apiUrl }, envFromStackOutputs: { URL: 'shop-api-staging.ApiUrl' } })],
      }]))).toBe(`${base}.URL sets a variable envFromCfnOutputs sets too, got 'URL'. Give the variable one source: remove it from envFromCfnOutputs or envFromStackOutputs.`);
    });
  });
});

describe('DeploymentTarget.commands with stack outputs', () => {
  test('a script that runs after the deployments reads their outputs (a CDN invalidation needs the distribution id)', () => {
    const { stack, staging } = setup();
    const p = pipeline(stack, [{
      name: 'staging',
      deployments: [
        DeploymentTarget.cdkStage(staging),
        cfnTarget('shop-cdn'),
        DeploymentTarget.commands('Invalidate', ['aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths "/*"'], {
          runAfterDeployments: true,
          envFromStackOutputs: { DISTRIBUTION: 'shop-cdn.DistributionId' },
          envFromCfnOutputs: { API_URL: staging.apiUrl },
        }),
      ],
    }]);
    expect(actionsOf(stack, 'staging')).toEqual([
      'shop-data-staging.Prepare@1', 'shop-data-staging.Deploy@2', 'shop-api-staging.Prepare@3', 'shop-api-staging.Deploy@4',
      'shop-cdn.Prepare@1', 'shop-cdn.Deploy@2', 'Invalidate@5',
    ]);
    expect(action(stack, 'staging', 'shop-cdn.Deploy').Namespace).toBe('staging@shop-cdn');
    expect(action(stack, 'staging', 'shop-api-staging.Deploy').Namespace).toBe('staging@shop-api-staging');
    expect(JSON.parse(action(stack, 'staging', 'Invalidate').Configuration.EnvironmentVariables)).toEqual([
      { name: 'API_URL', type: 'PLAINTEXT', value: '#{staging@shop-api-staging.ApiUrl}' },
      { name: 'DISTRIBUTION', type: 'PLAINTEXT', value: '#{staging@shop-cdn.DistributionId}' },
    ]);
    expect(p.describe().environments[0].deployments[2].details).toEqual(expect.arrayContaining([
      "after the environment's other deployments", 'env DISTRIBUTION: output DistributionId of stack shop-cdn',
    ]));
  });

  test('fails when a script that runs with the deployments reads stack outputs (they do not exist yet)', () => {
    const { stack } = setup();
    expect(errorOf(() => pipeline(stack, [{
      name: 'staging',
      deployments: [cfnTarget('shop-cdn'), DeploymentTarget.commands('Invalidate', ['x'], { envFromStackOutputs: { DISTRIBUTION: 'shop-cdn.DistributionId' } })],
    }]))).toBe("'PipelineStack/Shop': environments[0] ('staging').deployments[1].envFromStackOutputs reads stack outputs, which exist once the stacks are deployed, "
      + 'but the script runs in parallel with the deployments, got envFromStackOutputs. Set runAfterDeployments: true, so the script runs once the other deployments succeeded.');
  });

  test('fails when a script reads a stack the environment does not deploy', () => {
    const { stack } = setup();
    expect(errorOf(() => pipeline(stack, [{
      name: 'staging',
      deployments: [cfnTarget('shop-cdn'), DeploymentTarget.commands('Invalidate', ['x'], { runAfterDeployments: true, envFromStackOutputs: { D: 'shop-web.DistributionId' } })],
    }]))).toMatch(/^'PipelineStack\/Shop': environments\[0\] \('staging'\)\.deployments\[1\]\.envFromStackOutputs\.D names stack 'shop-web', which environment 'staging' does not deploy/);
  });
});
