/** The name of the change sets the pipeline creates. */
export const CHANGE_SET_NAME = 'cdk-delivery-pipeline';
