import { DeliveryApi } from './aws';
import { CliIo } from './io';

/** What every AWS command receives. */
export interface CommandContext {
  readonly api: DeliveryApi;
  readonly io: CliIo;
  /** Milliseconds between polls of `--wait` (tests use a few milliseconds). */
  readonly pollIntervalMs: number;
  /** Stop `--watch` / `--wait` after this many refreshes (tests only). */
  readonly maxRefreshes?: number;
}
