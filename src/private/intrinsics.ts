/**
 * A resolved CloudFormation value made of strings, `{ Ref }` and `Fn::Join` of those, as one
 * string, each `Ref` replaced by `ref(name)`; undefined when a part is anything else, or when `ref`
 * gives undefined for one. With `sub`, also an `Fn::Sub` of a string, each `${Name}` replaced the
 * same way (a `${!` literal makes it undefined).
 */
export function joinedText(value: unknown, ref: (name: string) => string | undefined, sub = false): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const arg = (value as Record<string, unknown>)[keys[0]];
  if (keys[0] === 'Ref') return typeof arg === 'string' ? ref(arg) : undefined;
  if (keys[0] === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    const parts = (arg[1] as unknown[]).map(part => joinedText(part, ref, sub));
    return parts.every(p => p !== undefined) ? parts.join(arg[0]) : undefined;
  }
  if (sub && keys[0] === 'Fn::Sub' && typeof arg === 'string' && !arg.includes('${!')) {
    let unknown = false;
    const text = arg.replace(/\$\{([^}]*)\}/g, (_m, name: string) => ref(name) ?? (unknown = true, ''));
    return unknown ? undefined : text;
  }
  return undefined;
}

/** A pseudo parameter's reference as text (`AWS::Region` as `<AWSRegion>`, cdk-nag's spelling); undefined for any other reference. */
export function pseudoParameterText(name: string): string | undefined {
  return name.startsWith('AWS::') ? `<${name.replace(/:/g, '')}>` : undefined;
}
