import { awscdk, javascript } from 'projen';

// Version set B (../shared/TOOLCHAIN.md): aws-cdk-lib 2.257.0 is the floor we build and test
// against, because integ-runner cannot read the cloud assemblies of later versions.
const project = new awscdk.AwsCdkConstructLibrary({
  author: 'cdk-delivery-pipeline maintainers',
  authorAddress: 'maintainers@example.invalid',
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  name: 'cdk-delivery-pipeline',
  description:
    'Continuous integration, delivery and deployment on AWS as typed configuration: one DeliveryPipeline construct for CodePipeline V2, CodeBuild and CodeDeploy, and the cdk-delivery CLI for release managers.',
  keywords: ['cdk', 'aws-cdk', 'codepipeline', 'codedeploy', 'continuous-delivery', 'continuous-deployment', 'dora'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: 'https://example.invalid/cdk-delivery-pipeline.git',
  github: false,
  release: false,
  depsUpgrade: false,

  // Bindings for the other jsii languages. Only the js package can be built on our machines
  // (no PyPI / Maven Central); CI generates the other bindings with `jsii-pacmak --code-only`.
  publishToPypi: { distName: 'cdk-delivery-pipeline', module: 'cdk_delivery_pipeline' },
  publishToMaven: {
    javaPackage: 'io.github.cdkdeliverypipeline',
    mavenGroupId: 'io.github.cdkdeliverypipeline',
    mavenArtifactId: 'cdk-delivery-pipeline',
  },
  publishToNuget: { dotNetNamespace: 'CdkDeliveryPipeline', packageId: 'CdkDeliveryPipeline' },
  publishToGo: { moduleName: 'github.com/cdk-delivery-pipeline/cdk-delivery-pipeline-go' },

  // The cdk-delivery command. Its runtime dependencies are bundled so the jsii package stays valid.
  bin: { 'cdk-delivery': 'lib/cli/main.js' },
  bundledDeps: [
    '@aws-sdk/client-codepipeline@^3.1138.0',
    '@aws-sdk/client-codedeploy@^3.1133.0',
    'commander@^14',
    'picocolors@^1.1.1',
    'cli-table3@^0.6.5',
    'ora@^5.4.1',
  ],
  devDeps: [
    'cdk-nag@^2',
    'aws-sdk-client-mock@^4.1.0',
    'aws-sdk-client-mock-jest@^4.1.0',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
    'aws-cdk@^2',
    'fast-check@^4',
    'playwright-core@^1.65.1',
    // the asset publishing library the PublishAssets commands install: a test runs them against a loopback STS and S3
    '@aws-cdk/cdk-assets-lib@^1',
  ],

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // jest's default is one worker per core minus one: a single worker on the 2-core CI machines
      maxWorkers: '100%',
      // istanbul instruments only this project's files; v8 coverage slowed every aws-cdk-lib call
      // and doubled the test run (216 s vs 122 s on a 2-core machine)
      coverageProvider: 'babel',
      // every temporary directory of a run (aws-cdk-lib's cdk.out*, the tests' own) goes into one
      // folder that is removed at the end, instead of piling up in the system's temp folder
      globalSetup: '<rootDir>/test/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/jest-global-teardown.ts',
    },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['integ/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', '.projenrc.ts'],
    exclude: ['integ/**/*.snapshot/**', 'lib/**', 'dist/**', '.tmp/**', 'cdk.out/**', 'cdk-integ.out.*/**'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'integ', 'examples', 'bench'],
    ignorePatterns: ['*.snapshot/**', 'cdk.out/**'],
  },
  gitignore: ['cdk.out/', 'test-reports/', 'bench/.work/', 'cdk-integ.out.*', '.tmp/', 'report.html',
    // a worktree's node_modules may be a symlink to another checkout's, which 'node_modules/' does not match
    '/node_modules'],
});

// docs/ ships the users' references (cli.md, plan-format.md, the migration guide that
// `cdk-delivery plan` names); the design notes and the benchmark write-up stay in the repository
// (and what the tests, the benchmarks and CI leave behind: .tmp/ holds the newest aws-cdk-lib)
for (const pattern of ['/integ/', '/examples/', '/bench/', '/docs/DESIGN.md', '/docs/performance.md', '/.ci/', 'cdk.out/',
  '/.tmp/', 'cdk-integ.out.*', '/report.html']) {
  project.npmignore?.exclude(pattern);
}

// The registry lacks several unrs-resolver@1.13.0 platform bindings, so the lockfile would omit
// them and `npm ci` would fail on a clean clone (TOOLCHAIN.md, pitfall 1).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Lint every TypeScript file (src, tests, integ apps, examples, benchmarks) with the type
// information of tsconfig.dev.json, which includes them all.
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addDeletionOverride('parserOptions.projectService');
eslintrc?.addOverride('parserOptions.project', './tsconfig.dev.json');

// The js package is the only one these machines can build; never try the others in `build`.
project.tasks.tryFind('package')?.reset('projen package:js');

// Every TypeScript snippet of the README and of the doc comments must compile against
// rosetta/default.ts-fixture (they become the examples of the other languages).
project.postCompileTask.exec('jsii-rosetta extract --compile --fail .jsii');
project.gitignore.exclude('.jsii.tabl.json');

const tsNode = 'ts-node --project tsconfig.dev.json --transpile-only';

project.addTask('demo', {
  description: 'Synthesize the example app into cdk.out and print its delivery plan',
  steps: [
    { exec: `${tsNode} examples/shop/app.ts` },
    { exec: `${tsNode} src/cli/main.ts plan cdk.out` },
  ],
});

// integ-runner starts one ts-node process per app at once; ts-node loads TypeScript through
// v8-compile-cache-lib, whose shared cache in the temp directory those processes write at the same
// time on a fresh machine. One CI run lost an app to a V8 "Fatal error" in its code deserializer
// as the apps started, which a half-written entry explains. The cache saves about a second per
// app: it is off for these tasks.
const integEnv = { DISABLE_V8_COMPILE_CACHE: '1' };
project.addTask('integ', {
  description: 'Verify the committed integ-runner snapshots (no AWS credentials needed)',
  env: integEnv,
  exec: 'integ-runner --directory integ --language typescript --app "node -r ts-node/register/transpile-only {filePath}"',
});
project.addTask('integ:update', {
  description: 'Refresh the integ-runner snapshots after an intentional change',
  env: integEnv,
  exec: 'integ-runner --directory integ --language typescript --update-on-failed --dry-run --app "node -r ts-node/register/transpile-only {filePath}"',
});
project.addTask('test:newest', {
  description: 'Run every feature suite once more against the newest aws-cdk-lib 2.x, installed into .tmp/newest (CI runs the example and CLI suites so)',
  steps: [{ exec: 'bash .ci/newest-aws-cdk-lib.sh install' }, { exec: 'bash .ci/newest-aws-cdk-lib.sh features', receiveArgs: true }],
});
project.addTask('typecheck', {
  description: 'Type-check tests, integ apps, examples and benchmarks (ts-jest runs transpile-only)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.addTask('cfn-lint', {
  description: 'Lint the CloudFormation templates of the integ apps (their snapshots) and the example apps with cfn-lint (the Python one, 1.x)',
  exec: `${tsNode} test/cfn-lint/run.ts`,
});
project.addTask('bindings', {
  description: 'Generate Python, Java, .NET and Go bindings (code only) to prove the API is jsii-safe',
  exec: 'rm -rf .tmp/bindings && jsii-pacmak --code-only --target python --target java --target dotnet --target go -o .tmp/bindings',
});

project.addTask('test:browser', {
  description: 'Open the HTML plan and metrics report in headless Chromium (needs Debian chromium: apt-get install chromium)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'junit-browser.xml' },
  exec: "jest --ci --coverage=false --testMatch '<rootDir>/test/browser/**/*.browser.ts'",
});
project.addTask('fuzz', {
  description: 'Property-based fuzzing with 10,000 cases and a random seed (replay a failure with FUZZ_SEED=<seed>)',
  env: { FUZZ_RUNS: '10000', JEST_JUNIT_OUTPUT_NAME: 'junit-fuzz.xml' },
  // in band: a jest worker that ran thousands of syntheses is slow to exit and gets force-killed
  // ("a worker process has failed to exit gracefully"); one process is also faster on 2 cores
  exec: 'jest --ci --coverage=false --runInBand test/fuzz',
});
project.addTask('bench', {
  description: 'Side-by-side benchmarks (not tests): this library vs CDK Pipelines vs hand-wired L2s, and the CLI',
  exec: `${tsNode} bench/run.ts`,
});

project.synth();
