import type { z } from 'zod';

export type ContractErrorCode = 'invalid_message' | 'invalid_topic';

export interface ContractIssue {
  /** Dotted path of the offending field, e.g. `agent_status.data.progress.progress`. */
  readonly path: string;
  readonly message: string;
}

/**
 * The one error type of `src/contract`: a message or a topic that does not follow the contract.
 * `message` lists every issue as `path: message`, so logs name the field without a debugger.
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly code: ContractErrorCode;
  readonly issues: readonly ContractIssue[];

  constructor(code: ContractErrorCode, issues: readonly ContractIssue[], options?: { cause?: unknown }) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), options);
    this.code = code;
    this.issues = issues;
  }

  /** Builds an error from zod issues, prefixing each path with `root` (e.g. the message type). */
  static fromZod(code: ContractErrorCode, root: string, error: z.ZodError): ContractError {
    const issues = error.issues.map((issue) => ({
      path: [root, ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    return new ContractError(code, issues, { cause: error });
  }
}
