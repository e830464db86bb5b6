import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { Remote } from "../config/schema.js";

export type S3Remote = Extract<Remote, { type: "s3" }>;

/**
 * The SDK client for an S3 remote. Credentials come from the config when both keys are given,
 * otherwise from the SDK's standard chain (environment, shared profile, instance/container role).
 * The SDK's own retries are off: every operation is retried by retry.ts, which knows which
 * errors are worth it and keeps one backoff policy for all backends.
 */
export function s3ClientConfig(remote: S3Remote): S3ClientConfig {
  const config: S3ClientConfig = {
    region: remote.region,
    forcePathStyle: remote.force_path_style,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 15_000, requestTimeout: 300_000 },
  };
  if (remote.endpoint) {
    config.endpoint = remote.endpoint;
    // S3-compatible services (MinIO, B2, R2, s3rver) mostly reject the SDK's default trailing
    // CRC checksums; integrity is checked by the tool itself (size, sha256, ETag).
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (remote.access_key_id && remote.secret_access_key) {
    config.credentials = {
      accessKeyId: remote.access_key_id,
      secretAccessKey: remote.secret_access_key,
      ...(remote.session_token ? { sessionToken: remote.session_token } : {}),
    };
  }
  return config;
}

export function createS3Client(remote: S3Remote): S3Client {
  // The SDK warns on stderr, as several unstructured lines, that future releases will need Node 22;
  // that breaks the JSON-lines log and says nothing about this run. Users may still turn it on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client(s3ClientConfig(remote));
}
