export { discoveryUrls } from './discovery-urls.js';
export { IssuerMetadataError, IssuerUnavailableError } from './errors.js';
export {
  createIssuerMetadata,
  type DiscoveredDocument,
  type IssuerDocument,
  type IssuerMetadata,
  type IssuerMetadataOptions,
  type IssuerMetadataStats,
  type KeySet,
} from './issuer-metadata.js';
export { issuerReadiness, type IssuerCheck } from './readiness.js';
