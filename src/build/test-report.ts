import { ModelContext } from '../model/model';
import { leavesWorkingDirectory } from '../private/artifact-paths';
import { ReportSpec } from '../private/codebuild';
import { isToken, type Validator } from '../private/validation';

/** Options of a test report. */
export interface TestReportOptions {
  /**
   * Directory the glob is relative to.
   *
   * @default - the build's working directory
   */
  readonly baseDirectory?: string;
}

/**
 * Test results the build publishes to a CodeBuild report group (shown in the console with trends).
 */
export class TestReport {
  /** JUnit XML files, for example `TestReport.junit('test-reports/*.xml')`. */
  public static junit(files: string, options: TestReportOptions = {}): TestReport {
    return new TestReport(files, 'JUNITXML', 'JUnit', options);
  }

  /** Cucumber JSON files. */
  public static cucumber(files: string, options: TestReportOptions = {}): TestReport {
    return new TestReport(files, 'CUCUMBERJSON', 'Cucumber', options);
  }

  /** TestNG XML files. */
  public static testNg(files: string, options: TestReportOptions = {}): TestReport {
    return new TestReport(files, 'TESTNGXML', 'TestNG', options);
  }

  /** Glob of the report files. */
  public readonly files: string;
  /** CodeBuild report file format, for example `JUNITXML`. */
  public readonly fileFormat: string;

  private constructor(files: string, fileFormat: string, private readonly label: string, private readonly options: TestReportOptions) {
    this.files = files;
    this.fileFormat = fileFormat;
  }

  /** @internal */
  public _toSpec(ctx: ModelContext, index: number): ReportSpec & { readonly label: string } {
    const fix = "Pass a glob of the report files, for example TestReport.junit('test-reports/*.xml').";
    const v: Validator = ctx.validator;
    if (typeof this.files !== 'string') v.fail(ctx.field, 'must be a string glob', this.files, fix);
    if (this.files.trim() === '') v.fail(ctx.field, 'must not be an empty glob', this.files, fix);
    v.noMisspeltFields(ctx.field, this.options, 'TestReportOptions');
    const baseDirectory = v.optionalString(`${ctx.field}.baseDirectory`, this.options?.baseDirectory, "Pass a directory such as 'reports'.");
    if (baseDirectory !== undefined && !isToken(baseDirectory)
      && (baseDirectory.trim() === '' || leavesWorkingDirectory(baseDirectory) || /["'`$]/.test(baseDirectory))) {
      v.fail(`${ctx.field}.baseDirectory`, "must be a directory inside the build's working directory: relative, without '..', '\\', quotes or '$'",
        baseDirectory, "Pass a directory such as 'reports' or 'packages/api/reports'.");
    }
    return { id: `Report${index}`, files: this.files, format: this.fileFormat, baseDirectory, label: `${this.label} report ${this.files}` };
  }
}
