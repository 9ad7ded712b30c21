/**
 * Who decides that a change reaches production.
 */
export enum ReleaseMode {
  /**
   * Continuous integration: every change is built, tested and checked into a versioned artifact.
   * Nothing is released; configuring environments is an error.
   */
  CONTINUOUS_INTEGRATION = 'CONTINUOUS_INTEGRATION',
  /**
   * Continuous delivery: every change moves through the environments automatically, and a person
   * decides, with one approval, when it reaches production. Every production environment is
   * entered through a manual approval (added by default when none is configured).
   */
  CONTINUOUS_DELIVERY = 'CONTINUOUS_DELIVERY',
  /**
   * Continuous deployment: nobody decides. A change reaches production when every automated check
   * passes. Manual approvals are an error, and every production environment needs automated
   * verification unless that is explicitly acknowledged.
   */
  CONTINUOUS_DEPLOYMENT = 'CONTINUOUS_DEPLOYMENT',
}

/**
 * The release mode in plain words, for the plan; `productionEnvironments` (when given) says how
 * many environments are production: without one, no approval is added to a continuous delivery,
 * and only the approvals the user configured (`approvedEnvironments`, when given) wait for a person;
 * and a continuous deployment requires no environment to have automated verification.
 * `environments` (when given) is 0 for a continuous delivery or deployment that deploys nowhere.
 */
export function describeReleaseMode(mode: string, productionEnvironments?: number, approvedEnvironments?: number, environments?: number): string {
  if (environments === 0 && (mode === ReleaseMode.CONTINUOUS_DELIVERY || mode === ReleaseMode.CONTINUOUS_DEPLOYMENT)) {
    return `Continuous ${mode === ReleaseMode.CONTINUOUS_DELIVERY ? 'delivery' : 'deployment'}, but the pipeline has no environments: `
      + 'every change is built and checked, and deployed nowhere.';
  }
  switch (mode) {
    case ReleaseMode.CONTINUOUS_INTEGRATION:
      return 'Continuous integration: every change is built, tested and checked into a versioned artifact; this pipeline releases nothing.';
    case ReleaseMode.CONTINUOUS_DELIVERY:
      if (productionEnvironments === 0 && approvedEnvironments !== undefined && approvedEnvironments > 0) {
        return 'Continuous delivery: every change moves through the environments automatically up to an approval; no environment is marked '
          + `production, so no approval is added: a person decides where you configured one (${approvedEnvironments} `
          + `environment${approvedEnvironments === 1 ? '' : 's'}).`;
      }
      if (productionEnvironments === 0) {
        return 'Continuous delivery: every change moves through the environments automatically; no environment is marked production, '
          + 'so no approval is added and nothing waits for a person.';
      }
      return 'Continuous delivery: every change moves through the environments automatically; a person decides, with one approval, when it reaches production.';
    case ReleaseMode.CONTINUOUS_DEPLOYMENT:
      if (productionEnvironments === 0) {
        return 'Continuous deployment: nobody decides; every change moves through the environments automatically; no environment is marked production, '
          + 'so none is required to have automated verification.';
      }
      return 'Continuous deployment: nobody decides; a change reaches production when every automated check passes.';
    default:
      throw new Error(`Logic error: unknown release mode ${mode}`);
  }
}
