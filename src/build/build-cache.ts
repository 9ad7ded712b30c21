import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ModelContext } from '../model/model';
import { refuseOwnedUnreferable } from '../private/referable';
import { isResource } from '../private/validation';

/** Options of a local build cache. */
export interface LocalCacheOptions {
  /**
   * Paths to keep between builds (custom cache), for example `node_modules/**\/*`.
   *
   * @default - no custom paths; the source cache only
   */
  readonly paths?: string[];
  /**
   * Also cache Docker layers (needs a privileged build).
   *
   * @default false
   */
  readonly dockerLayers?: boolean;
}

/** Options of an S3 build cache. */
export interface S3CacheOptions {
  /**
   * Paths to keep between builds.
   *
   * @default - none
   */
  readonly paths?: string[];
  /**
   * Key prefix in the bucket.
   *
   * @default - the bucket root
   */
  readonly prefix?: string;
}

/** Internal shape of a cache once validated. */
export interface BoundCache {
  readonly cache: codebuild.Cache;
  readonly paths: string[];
  readonly summary: string;
  readonly needsPrivileged: boolean;
  /** The bucket of an S3 cache, which aws-cdk-lib grants the project read and write on. */
  readonly bucket?: s3.IBucket;
  /** Said at synth: a cache that keeps nothing. */
  readonly warning?: string;
}

/**
 * Where a build keeps files between runs.
 */
export abstract class BuildCache {
  /** Cache on the build host (fast, best effort): source and custom paths, optionally Docker layers. */
  public static local(options: LocalCacheOptions = {}): BuildCache {
    return new LocalCache(options);
  }

  /** Cache in an S3 bucket (survives across hosts). */
  public static s3(bucket: s3.IBucket, options: S3CacheOptions = {}): BuildCache {
    return new S3Cache(bucket, options);
  }

  /** @internal */
  public abstract _bind(ctx: ModelContext): BoundCache;
}

class LocalCache extends BuildCache {
  constructor(private readonly options: LocalCacheOptions) {
    super();
  }

  public _bind(ctx: ModelContext): BoundCache {
    ctx.validator.noMisspeltFields(ctx.field, this.options, 'LocalCacheOptions');
    const paths = ctx.validator.optionalStringArray(`${ctx.field}.paths`, this.options?.paths, "Pass globs such as 'node_modules/**/*'.") ?? [];
    const dockerLayers = ctx.validator.optionalBoolean(`${ctx.field}.dockerLayers`, this.options?.dockerLayers) ?? false;
    const modes = [codebuild.LocalCacheMode.SOURCE];
    if (paths.length > 0) modes.push(codebuild.LocalCacheMode.CUSTOM);
    if (dockerLayers) modes.push(codebuild.LocalCacheMode.DOCKER_LAYER);
    return {
      cache: codebuild.Cache.local(...modes),
      paths,
      summary: `local cache (${modes.map(m => String(m).replace('LOCAL_', '').toLowerCase()).join(', ')})`,
      needsPrivileged: dockerLayers,
      // the source cache keeps Git metadata of repositories CodeBuild clones, not CodePipeline's artifacts
      warning: paths.length > 0 || dockerLayers ? undefined
        : `${ctx.field} is a local cache without paths or dockerLayers: it keeps only CodeBuild's source cache, the Git metadata of repositories CodeBuild `
          + "clones itself, not the files of the artifact CodePipeline passes. Pass paths, for example BuildCache.local({ paths: ['node_modules/**/*'] }), "
          + 'or dockerLayers: true, or leave cache out.',
    };
  }
}

class S3Cache extends BuildCache {
  constructor(private readonly bucket: s3.IBucket, private readonly options: S3CacheOptions) {
    super();
  }

  public _bind(ctx: ModelContext): BoundCache {
    if (!isResource(this.bucket, 'bucketName')) {
      ctx.validator.fail(`${ctx.field}.bucket`, 'must be an s3.IBucket', this.bucket, 'Pass an s3.Bucket to BuildCache.s3().');
    }
    ctx.validator.noMisspeltFields(ctx.field, this.options, 'S3CacheOptions');
    refuseOwnedUnreferable(ctx.validator, `${ctx.field}.bucket`, this.bucket, 'an S3 bucket',
      "Use a bucket of a stack of the pipeline's account and Region (CodeBuild reads its cache there), or import it there with s3.Bucket.fromBucketName(pipelineStack, 'Cache', '<name>').");
    const paths = ctx.validator.optionalStringArray(`${ctx.field}.paths`, this.options?.paths, "Pass globs such as 'node_modules/**/*'.") ?? [];
    const prefix = ctx.validator.optionalString(`${ctx.field}.prefix`, this.options?.prefix, "Pass a key prefix such as 'cache/shop'.");
    if (prefix !== undefined && !Token.isUnresolved(prefix) && prefix.startsWith('/')) {
      ctx.validator.fail(`${ctx.field}.prefix`, "starts with '/', which S3 keeps as part of the key ('<bucket>//cache/...')", prefix,
        `Drop the leading '/': '${prefix.replace(/^\/+/, '')}'.`);
    }
    return {
      cache: codebuild.Cache.bucket(this.bucket, { prefix }),
      bucket: this.bucket,
      paths,
      summary: paths.length > 0 ? `S3 cache: ${paths.join(', ')}` : 'S3 cache without paths (keeps nothing)',
      needsPrivileged: false,
      // CodeBuild stores in the bucket the buildspec's cache paths, and nothing else
      warning: paths.length > 0 ? undefined
        : `${ctx.field} is an S3 cache without paths, so CodeBuild keeps nothing in it between builds. Pass paths, for example `
          + "BuildCache.s3(bucket, { paths: ['node_modules/**/*'] }), or leave cache out.",
    };
  }
}
