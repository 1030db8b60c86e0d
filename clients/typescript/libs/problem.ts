/**
 * Every error of the API as one type: the RFC 9457 problem body, plus the X-Request-ID the
 * server answered with (quote it in a support ticket: it names the server's log lines).
 */
import type { Problem, ValidationErrorItem } from './generated/types.gen.js';

export const REQUEST_ID_HEADER = 'X-Request-ID';

/**
 * An error answer of the API as an `Error` that also is the contract's `Problem`
 * (`type`, `title`, `status`, `detail`, `errors` for 422, `allowed` for 409, extensions).
 * Answers that are not problem+json (a proxy's HTML page, a network failure, a stream cut
 * short) are mapped to one too: `status` is the HTTP status, or 0 when no response arrived.
 */
export class ApiProblem extends Error implements Problem {
  [key: string]: unknown;
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<ValidationErrorItem>;
  allowed?: Array<string>;
  /** The problem body as the server sent it (or as it was made up for a non-problem answer). */
  readonly problem: Problem;
  /** The response's X-Request-ID, when a response arrived. */
  readonly requestId: string | undefined;

  constructor(problem: Problem, options?: { cause?: unknown; requestId?: string | null }) {
    super(problem.detail ?? problem.title, options);
    Object.assign(this, problem);
    this.name = 'ApiProblem';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.problem = problem;
    const fromBody = typeof problem['requestId'] === 'string' ? problem['requestId'] : undefined;
    this.requestId = options?.requestId ?? fromBody;
  }
}

/** True for a value shaped like an RFC 9457 problem (as the API sends them). */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['type'] === 'string' && typeof v['title'] === 'string' && typeof v['status'] === 'number';
}

/** Maps whatever a failed request produced (a parsed body, text, an exception) onto an ApiProblem. */
export function toApiProblem(error: unknown, response?: Response): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const requestId = response?.headers.get(REQUEST_ID_HEADER) ?? null;
  if (isProblem(error)) return new ApiProblem(error, { requestId });
  if (response === undefined) {
    const detail = error instanceof Error ? error.message : String(error);
    return new ApiProblem({ type: 'about:blank', title: 'Network error', status: 0, detail }, { cause: error });
  }
  const problem: Problem = {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
  };
  if (typeof error === 'string' && error !== '') problem.detail = error.slice(0, 1000);
  return new ApiProblem(problem, { requestId });
}

/** The ApiProblem of a response that is not a success (its body read as problem+json if it is one). */
export async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return toApiProblem(body, response);
}
