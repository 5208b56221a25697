/**
 * The CloudWatch Logs client: the AWS SDK, loaded only when a CloudWatch command or option is
 * used (plain file scans never pay its load time), with the standard credential chain, a
 * fail-fast check for credentials, bounded retries, and AWS errors turned into one plain line.
 */
import type { CloudWatchLogs } from '@aws-sdk/client-cloudwatch-logs';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { InputError } from '../sources/inputs.js';

export type { CloudWatchLogs } from '@aws-sdk/client-cloudwatch-logs';

export interface CloudWatchOptions {
  readonly region?: string;
  /** A profile of ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE, else the default chain). */
  readonly profile?: string;
  /** Another endpoint (a VPC endpoint, or a local test server); else the region's. */
  readonly endpoint?: string;
  /** Attempts per call, retries included (ThrottlingException, 5xx, dropped connections). */
  readonly maxAttempts?: number;
  /** A fixed delay between retries instead of the SDK's jittered exponential backoff (tests). */
  readonly retryDelayMs?: number;
  /** Between polls of a running query or a tail (default 1 s); not a client setting. */
  readonly pollMs?: number;
}

/**
 * A CloudWatch failure that ends the command with exit 2. Its message is one plain line that
 * never holds credentials: the SDK's errors name the failing call and AWS's reason only.
 */
export class CloudWatchError extends InputError {
  /**
   * `awsName`: the AWS error's name (InvalidParameterException, ...), or `network` when AWS could
   * not be reached at all (nothing else is worth trying); empty for haystack's own reasons.
   */
  constructor(message: string, hint?: string, readonly awsName = '') {
    super(`CloudWatch: ${message}`, hint);
    this.name = 'CloudWatchError';
  }

  get network(): boolean {
    return this.awsName === 'network';
  }
}

/** Default attempts: the SDK's standard retry, a little more patient with throttling. */
const MAX_ATTEMPTS = 5;

/**
 * The options a CLI invocation gives, completed from the environment:
 * HAYSTACK_CLOUDWATCH_ENDPOINT (another endpoint), HAYSTACK_CLOUDWATCH_RETRY_DELAY_MS and
 * HAYSTACK_CLOUDWATCH_POLL_MS (tuning, and fast tests).
 */
export function optionsFromEnv(given: { region?: string; profile?: string }, env: NodeJS.ProcessEnv = process.env): CloudWatchOptions {
  const delay = msFrom(env.HAYSTACK_CLOUDWATCH_RETRY_DELAY_MS);
  const poll = msFrom(env.HAYSTACK_CLOUDWATCH_POLL_MS);
  return {
    ...(given.region ? { region: given.region } : {}),
    ...(given.profile ? { profile: given.profile } : {}),
    ...(env.HAYSTACK_CLOUDWATCH_ENDPOINT ? { endpoint: env.HAYSTACK_CLOUDWATCH_ENDPOINT } : {}),
    ...(delay !== undefined ? { retryDelayMs: delay } : {}),
    ...(poll !== undefined ? { pollMs: poll } : {}),
  };
}

function msFrom(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * A client whose credentials and region are known to resolve: a missing one fails here, in
 * well under a second, rather than on the first call after minutes of retries.
 */
export async function openClient(options: CloudWatchOptions = {}): Promise<CloudWatchLogs> {
  // The SDK warns on Node 20 about SDK releases after January 2027; haystack pins a release
  // that supports Node 20, so the notice is noise in front of the one line a user needs.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await import('@aws-sdk/client-cloudwatch-logs');
  const { ConfiguredRetryStrategy, StandardRetryStrategy } = await import('@smithy/core/retry');
  const attempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const retryStrategy = new FailFastRetry(
    options.retryDelayMs !== undefined ? new ConfiguredRetryStrategy(attempts, options.retryDelayMs) : new StandardRetryStrategy(attempts),
  );
  let client: CloudWatchLogs;
  try {
    client = new sdk.CloudWatchLogs({
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      // A given endpoint is the host to call: no "stream-" host prefix for Live Tail.
      ...(options.endpoint ? { endpoint: options.endpoint, disableHostPrefix: true } : {}),
      maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
      retryStrategy,
      // A host that does not answer fails in seconds; a slow page may take longer.
      requestHandler: { connectionTimeout: 5000, requestTimeout: 30000 },
    });
  } catch (e) {
    throw describeAwsError(e);
  }
  try {
    await client.config.credentials();
  } catch (e) {
    const err = describeAwsError(e);
    if (options.profile && /no AWS credentials/.test(err.message))
      throw new CloudWatchError(`no AWS credentials found for profile ${options.profile} (check ~/.aws/config and ~/.aws/credentials, or run aws sso login --profile ${options.profile})`);
    throw err;
  }
  try {
    await client.config.region();
  } catch (e) {
    throw describeAwsError(e);
  }
  return client;
}

/**
 * The SDK's retries, except that a network failure before any call has succeeded is final:
 * with no network (or a wrong endpoint) the user hears it at once, not after every backoff.
 * Once a call went through, a dropped connection is retried like a 5xx.
 */
class FailFastRetry implements RetryStrategyV2 {
  private succeeded = false;
  readonly mode?: string;
  constructor(private readonly inner: RetryStrategyV2 & { mode?: string }) {
    if (inner.mode !== undefined) this.mode = inner.mode;
  }
  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }
  refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    if (!this.succeeded && isNetworkError(info.error)) return Promise.reject(info.error);
    return this.inner.refreshRetryTokenForRetry(token, info);
  }
  recordSuccess(token: RetryToken): void {
    this.succeeded = true;
    this.inner.recordSuccess(token);
  }
}

function isNetworkError(e: unknown): boolean {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string } } | undefined;
  const code = err?.code ?? err?.cause?.code ?? '';
  return NETWORK_CODES.has(code) || err?.name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(err?.message ?? '');
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** An SDK or network error as one line a user can act on (and nothing secret). */
export function describeAwsError(e: unknown, what?: string): CloudWatchError {
  if (e instanceof CloudWatchError) return e;
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const name = err?.name ?? 'Error';
  const message = String(err?.message ?? e).split('\n')[0]!.trim();
  const code = err?.code ?? err?.cause?.code ?? '';
  const prefix = what ? `${what}: ` : '';
  if (name === 'CredentialsProviderError' || /credential/i.test(name) || /Could not load credentials/i.test(message)) {
    return new CloudWatchError(`no AWS credentials found (set AWS_PROFILE or give --profile, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login)`);
  }
  if (/Region is missing/i.test(message) || (name === 'Error' && /region/i.test(message) && /missing|not set/i.test(message)))
    return new CloudWatchError('no AWS region (give --region, set AWS_REGION, or set a region in the profile)');
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up/.test(message))
    return new CloudWatchError(`${prefix}cannot reach CloudWatch Logs (${code || name}: ${message})`, undefined, 'network');
  switch (name) {
    case 'ResourceNotFoundException':
      return new CloudWatchError(`${prefix}not found: ${message}`, undefined, name);
    case 'AccessDeniedException':
    case 'UnauthorizedOperation':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new CloudWatchError(`${prefix}access denied (${name}): ${message}`, 'the README lists the IAM permissions each command needs', name);
    default:
      return new CloudWatchError(`${prefix}${name}: ${message}`, undefined, name);
  }
}
