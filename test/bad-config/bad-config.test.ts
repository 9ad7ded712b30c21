import { DeliveryPipeline } from '../../src';
import { newStack } from '../util';
import { BAD_CONFIGS } from './cases';

describe('bad configurations end in one clear synth-time error', () => {
  test('the corpus holds at least 40 configurations', () => {
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(40);
  });

  test.each(BAD_CONFIGS.map(c => [c.title, c] as const))('%s', (_title, c) => {
    const stack = newStack();
    let error: any;
    try {
      new DeliveryPipeline(stack, 'Shop', c.props(stack));
      stack.node.root.node.findAll(); // nothing else to do: validation runs in the constructor
    } catch (e) {
      error = e;
    }
    expect(error).toBeDefined();
    expect(error.name).toBe('DeliveryPipelineValidationError');
    if (typeof c.message === 'string') {
      expect(error.message).toBe(c.message);
    } else {
      expect(error.message).toMatch(c.message);
    }
  });
});
