// Errors of the local image build carry a stable code and say what to do.
export type ImageErrorCode =
  | 'MR_ERR_IMAGE_TOOL_MISSING'
  | 'MR_ERR_IMAGE_COMMAND'
  | 'MR_ERR_IMAGE_NODE_VERSION'
  | 'MR_ERR_IMAGE_IMPORT'
  | 'MR_ERR_IMAGE_MISSING'
  | 'MR_ERR_IMAGE_REF';

export class ImageBuildError extends Error {
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ImageBuildError';
    this.code = code;
  }
}
